#!/usr/bin/python3
"""The sma-cross rule in backtesting.py, as a whole process, for bench/process.bench.ts.

Run:
  BACKTESTING_PY=/path/to/backtesting.py-checkout /usr/bin/python3 bench/peers/sma_cross_bt.py run FILE.csv
  BACKTESTING_PY=... /usr/bin/python3 bench/peers/sma_cross_bt.py optimize FILE.csv

FILE.csv is OHLC(V), or a close-only series (one value column), run as bars with Open = High = Low = Close.
Prints one JSON line: {"finalEquity": ..., "trades": ..., "bars": ...} (`optimize` adds the best fast/slow
and the number of trials). Needs Debian's python3-pandas (`apt-get install -y python3-pandas`) and a
checkout of https://github.com/kernc/backtesting.py (`git clone https://github.com/kernc/backtesting.py`;
the bench was measured on 0.6.6); nothing of backtesting.py is copied into Tapedeck.

The rule is scenarios/sma-cross.json: SMA(10)/SMA(20) on closes, +100 units when the fast SMA crosses
above the slow one, -100 when it crosses below (exclusive_orders: the reversal closes the open trade
first), orders decided on a bar's close filled at the next bar's open (trade_on_close=False),
commission 0.2% of notional, cash 100,000, margin=1. The SMA is pandas' rolling mean, as
backtesting.py's own examples write it (a user's backtesting.py run); tests/fixtures/scripts/
peers-backtesting-py.py is the fill-for-fill reference and uses a correctly rounded sum instead.

`optimize` is the 19-trial grid of scenarios/sma-cross.space.json (fast 5..20 step 5, slow 20..60 step 10,
fast < slow), maximizing the Sharpe ratio, with backtesting.py's own `Backtest.optimize` (its process pool
uses every CPU).

backtesting.py's bokeh import and pandas < 2.2 are handled by tests/fixtures/scripts/backtesting_py_shims.py
(shared with the peers' fixture script).
"""
import json
import os
import sys
import warnings

BTPY = os.environ.get('BACKTESTING_PY')
if not BTPY:
    sys.stderr.write('sma_cross_bt.py: set BACKTESTING_PY to a checkout of https://github.com/kernc/backtesting.py\n')
    sys.exit(2)


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'scripts'))
from backtesting_py_shims import shim_pandas_offsets, stub_bokeh  # noqa: E402

stub_bokeh()
sys.path.insert(0, BTPY)
import pandas as pd  # noqa: E402
from backtesting import Backtest, Strategy  # noqa: E402
from backtesting.lib import crossover  # noqa: E402

shim_pandas_offsets(pd)


def sma(values, n):
    return pd.Series(values).rolling(n).mean()


class SmaCross(Strategy):
    fast = 10
    slow = 20

    def init(self):
        self.f = self.I(sma, self.data.Close, self.fast)
        self.s = self.I(sma, self.data.Close, self.slow)

    def next(self):
        if crossover(self.f, self.s):
            self.buy(size=100)
        elif crossover(self.s, self.f):
            self.sell(size=100)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('run', 'optimize'):
        sys.stderr.write('usage: sma_cross_bt.py run|optimize FILE.csv\n')
        sys.exit(2)
    mode, path = sys.argv[1], sys.argv[2]
    df = pd.read_csv(path, index_col=0, parse_dates=True)
    if len(df.columns) == 1:
        # A close-only series (R's USDCHF: ts,USDCHF): backtesting.py needs OHLC, so each close is a bar
        # with Open = High = Low = Close, what `tapedeck run` does with such a file.
        close = df.iloc[:, 0]
        df = pd.DataFrame({'Open': close, 'High': close, 'Low': close, 'Close': close}, index=df.index)
    bt = Backtest(df, SmaCross, cash=100_000, commission=0.002, margin=1, trade_on_close=False,
                  exclusive_orders=True, finalize_trades=False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if mode == 'run':
            stats = bt.run()
            out = {}
        else:
            stats, heatmap = bt.optimize(fast=range(5, 21, 5), slow=range(20, 61, 10), maximize='Sharpe Ratio',
                                         constraint=lambda p: p.fast < p.slow, return_heatmap=True)
            out = {'trials': int(len(heatmap)), 'fast': int(stats['_strategy'].fast), 'slow': int(stats['_strategy'].slow)}
    out.update({'finalEquity': float(stats['Equity Final [$]']), 'trades': int(stats['# Trades']), 'bars': int(len(df))})
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
