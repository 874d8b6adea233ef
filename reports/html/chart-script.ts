/**
 * The page's chart script: draws every `figure.chart` from its JSON option with the inlined ECharts
 * (SVG renderer), links the charts of one `data-group` (echarts.connect: zooming one zooms all), builds
 * the formatters the options name (`{"$fmt": name, "arg": ...}`, see chart.ts), toggles log scales and
 * resizes the charts with the window. The formatters mirror percentAxisLabel, compactNumberLabel and
 * formatPercent of the server side (tests/unit/reports/html/chart-script.test.ts checks they agree).
 */
export const CHART_SCRIPT = `
(function(){
  function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
  function percentAxis(v){var p=v*100;return (Math.abs(p)<10&&p!==Math.round(p)?p.toFixed(1):p.toFixed(0))+'%';}
  function compact(v){var a=Math.abs(v);if(a>=1e9)return +(v/1e9).toFixed(2)+'B';if(a>=1e6)return +(v/1e6).toFixed(2)+'M';if(a>=1e4)return +(v/1e3).toFixed(1)+'k';return ''+(+v.toFixed(2));}
  function percent(d){return function(v){return typeof v==='number'&&isFinite(v)?(v*100).toFixed(d)+'%':'n/a';};}
  function fixed(d){return function(v){return typeof v==='number'&&isFinite(v)?v.toFixed(d):'n/a';};}
  function sig(v){if(typeof v!=='number'||!isFinite(v))return 'n/a';var a=Math.abs(v);return a>=1e4?compact(v):+v.toPrecision(4)+'';}
  function pad(n){return (n<10?'0':'')+n;}
  function when(ms){var d=new Date(ms);if(isNaN(d.getTime()))return '';var s=d.getUTCFullYear()+'-'+pad(d.getUTCMonth()+1)+'-'+pad(d.getUTCDate());
    if(d.getUTCHours()||d.getUTCMinutes()||d.getUTCSeconds())s+=' '+pad(d.getUTCHours())+':'+pad(d.getUTCMinutes())+(d.getUTCSeconds()?':'+pad(d.getUTCSeconds()):'');return s;}
  function amount(d){return function(v){if(typeof v!=='number'||!isFinite(v))return 'n/a';var s=Math.abs(v).toFixed(d),i=s.indexOf('.'),w=i<0?s:s.slice(0,i);
    return (v<0?'-':'')+w.replace(/\\B(?=(\\d{3})+(?!\\d))/g,',')+(i<0?'':s.slice(i));};}
  var F={percentAxis:function(){return percentAxis;},compact:function(){return compact;},fixed:fixed,percent:percent,amount:amount};
  function valueFormat(spec){if(!spec)return sig;var f=F[spec[0]];return f?f(spec[1]):sig;}
  function row(p,text){return '<div>'+p.marker+esc(p.seriesName)+': <b>'+esc(text)+'</b></div>';}
  function describe(p,formats,t,tol){
    var d=p.data,v=p.value;
    if(d&&typeof d==='object'&&!Array.isArray(d)&&d.tip){if(tol>0&&Array.isArray(d.value)&&Math.abs(d.value[0]-t)>tol)return '';return '<div>'+p.marker+esc(d.tip)+'</div>';}
    if(p.seriesType==='candlestick'&&Array.isArray(v)){var f=valueFormat(formats[p.seriesName]);return row(p,'O '+f(v[1])+' H '+f(v[4])+' L '+f(v[3])+' C '+f(v[2]));}
    var y=Array.isArray(v)?v[1]:v;if(y===null||y===undefined||y==='-')return '';
    return row(p,valueFormat(formats[p.seriesName])(y));
  }
  F.timeTooltip=function(arg){var formats=(arg&&arg.formats)||{},tol=(arg&&arg.tolMs)||0;return function(ps){
    ps=Array.isArray(ps)?ps:[ps];if(ps.length===0)return '';
    var t=ps[0].axisValue;if(t===undefined){var v=ps[0].value;t=Array.isArray(v)?v[0]:v;}
    return '<div style="font-weight:600">'+esc(when(t))+'</div>'+ps.map(function(p){return describe(p,formats,t,tol);}).join('');};};
  F.itemTooltip=function(){return function(p){var d=p.data;if(d&&typeof d==='object'&&!Array.isArray(d)&&d.tip)return esc(d.tip);
    var v=p.value;return p.marker+esc(p.seriesName)+(p.name?' '+esc(p.name):'')+': <b>'+esc(Array.isArray(v)?v.map(sig).join(', '):sig(v))+'</b>';};};
  function revive(o){
    if(Array.isArray(o)){for(var i=0;i<o.length;i++)o[i]=revive(o[i]);return o;}
    if(o!==null&&typeof o==='object'){if(typeof o.$fmt==='string'&&F[o.$fmt])return F[o.$fmt](o.arg);for(var k in o)o[k]=revive(o[k]);}
    return o;
  }
  if(typeof echarts==='undefined')return;
  var charts=[],byName={},groups={};
  Array.prototype.forEach.call(document.querySelectorAll('figure.chart'),function(fig){
    var el=fig.querySelector('div.echart'),src=fig.querySelector('script.chart-option');if(!el||!src)return;
    var chart=echarts.init(el,null,{renderer:el.getAttribute('data-renderer')==='canvas'?'canvas':'svg'});
    // A chart ECharts cannot draw (values it cannot scale) says so in its place; the rest of the page draws.
    try{chart.setOption(revive(JSON.parse(src.textContent)));}
    catch(e){chart.dispose();el.style.height='auto';el.className+=' failed';el.textContent='This chart could not be drawn: '+((e&&e.message)||'ECharts failed on these values')+'. The numbers are in report.json and the Parquet tables.';return;}
    var g=el.getAttribute('data-group');if(g){chart.group=g;groups[g]=true;}
    charts.push(chart);byName[fig.getAttribute('data-chart')]=chart;
  });
  for(var g in groups)echarts.connect(g);
  Array.prototype.forEach.call(document.querySelectorAll('button[data-log-chart]'),function(b){
    b.addEventListener('click',function(){var c=byName[b.getAttribute('data-log-chart')];if(!c)return;
      var log=b.getAttribute('aria-pressed')!=='true';b.setAttribute('aria-pressed',log?'true':'false');
      var axes=c.getOption().yAxis.map(function(a,i){return i===0?{type:log?'log':'value',logBase:10}:{};});
      c.setOption({yAxis:axes});});
  });
  var pending=0;window.addEventListener('resize',function(){clearTimeout(pending);pending=setTimeout(function(){charts.forEach(function(c){c.resize();});},80);});
})();
`;
