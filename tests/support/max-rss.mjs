// Preloaded (`node --import`) into a child process by the long-tape test: on exit, writes the process's peak
// resident set size in KiB (getrusage ru_maxrss, every thread included) to $TAPEDECK_TEST_MAXRSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.TAPEDECK_TEST_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
