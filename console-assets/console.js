// Draws the charts of a page: every element with data-chart-src gets a uPlot
// chart of the JSON series at that URL ({ x: [epoch s], series: [{ label, values }] }),
// refreshed every data-chart-every seconds (default 5).
(function () {
  'use strict';
  function draw(el) {
    fetch(el.dataset.chartSrc, { headers: { accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        var data = [d.x].concat(d.series.map(function (s) { return s.values; }));
        if (el._chart) { el._chart.setData(data); return; }
        var opts = {
          title: el.dataset.chartTitle || '',
          width: el.clientWidth || 420,
          height: 180,
          series: [{}].concat(d.series.map(function (s, i) { return { label: s.label, stroke: ['#0b6bcb', '#b54708', '#067647', '#b42318'][i % 4], spanGaps: true }; })),
        };
        el._chart = new uPlot(opts, data, el);
      })
      .catch(function () { /* the next refresh tries again */ });
  }
  function start(root) {
    (root || document).querySelectorAll('[data-chart-src]').forEach(function (el) {
      if (el._charted) { return; }
      el._charted = true;
      draw(el);
      var every = Number(el.dataset.chartEvery || 5) * 1000;
      el._timer = setInterval(function () { if (document.body.contains(el)) { draw(el); } else { clearInterval(el._timer); } }, every);
    });
  }
  document.addEventListener('DOMContentLoaded', function () { start(document); });
  document.addEventListener('htmx:afterSwap', function (e) { start(e.target); });
})();
