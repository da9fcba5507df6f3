// Builds the report's charts from #report-data with Chart.js; exposes what was drawn for tests.
(function () {
  'use strict';
  var body = document.body;
  window.addEventListener('error', function (e) {
    body.setAttribute('data-error', String(e.message || e.error || 'error'));
  });
  // Chart.js reports some failures only on the console: keep them visible to tests.
  var consoleError = console.error;
  console.error = function () {
    body.setAttribute('data-error', Array.prototype.map.call(arguments, String).join(' '));
    return consoleError.apply(console, arguments);
  };
  var state = {};
  var C = { ours: '#3366cc', oursBorder: '#1f4a99', paper: '#f0a830', ok: '#2e9e4f', bad: '#d64545',
            selected: '#7a7f8c', accSel: '#d64545', accUnsel: '#2e9e4f', sim: '#3366cc',
            stages: { score: '#4c78a8', synthesize: '#f58518', train: '#e45756', answer: '#54a24b', other: '#bab0ac' } };

  // Whiskers for datasets that carry an `errors` array (± one std).
  var errorBars = {
    id: 'errorBars',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (!ds.errors || meta.hidden) return;
        meta.data.forEach(function (bar, j) {
          var v = ds.data[j], e = ds.errors[j];
          if (v == null || e == null || !(e > 0)) return;
          var top = y.getPixelForValue(Math.min(y.max, v + e)), bot = y.getPixelForValue(Math.max(y.min, v - e)), w = Math.min(8, bar.width / 4);
          ctx.save();
          ctx.strokeStyle = '#111';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bot);
          ctx.moveTo(bar.x - w, top); ctx.lineTo(bar.x + w, top);
          ctx.moveTo(bar.x - w, bot); ctx.lineTo(bar.x + w, bot);
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  // A dashed vertical line at the run's own τ (options.plugins.tauMarker.index on the category axis).
  var tauMarker = {
    id: 'tauMarker',
    afterDatasetsDraw: function (chart, args, opts) {
      if (!opts || opts.index == null || opts.index < 0) return;
      var x = chart.scales.x.getPixelForValue(opts.index), a = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = '#444';
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, a.top); ctx.lineTo(x, a.bottom);
      ctx.stroke();
      ctx.fillStyle = '#333';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.fillText('run τ', x - 4, a.bottom - 6);
      ctx.restore();
    }
  };

  function title(text) { return { display: true, text: text, font: { size: 13, weight: '600' } }; }
  function pctAxis(label) { return { min: 0, max: 100, title: { display: true, text: label } }; }

  function make(id, config) {
    var el = document.getElementById(id);
    if (!el) throw new Error('no canvas for chart ' + id);
    if (el.tagName !== 'CANVAS') throw new Error('chart ' + id + ' has no canvas');
    var chart = new Chart(el, config);
    if (!chart.ctx) throw new Error('chart ' + id + ' has no drawing context');
    state[id] = { type: config.type, labels: chart.data.labels,
      datasets: chart.data.datasets.map(function (d) { return { label: d.label, data: d.data }; }) };
    return chart;
  }

  function build(data) {
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = 'system-ui, "DejaVu Sans", sans-serif';

    data.accuracy.forEach(function (a) {
      var sets = [{ label: 'ours (mean ± std over seeds)', data: a.ours, errors: a.std, seeds: a.seeds,
                    backgroundColor: C.ours, borderColor: C.oursBorder, borderWidth: 1, maxBarThickness: 90 }];
      if (a.paper.some(function (v) { return v != null; })) {
        sets.push({ label: 'paper, Qwen2.5-1.5B-Instruct (different model/setting)', data: a.paper, backgroundColor: C.paper, maxBarThickness: 90 });
      }
      make(a.id, { type: 'bar', data: { labels: a.labels, datasets: sets }, plugins: [errorBars],
        options: { scales: { y: pctAxis('accuracy %') },
          plugins: { title: title(a.title),
            tooltip: { callbacks: { label: function (ctx) {
              var ds = ctx.dataset, v = ctx.parsed.y;
              if (ds.errors) {
                // A std over one seed is undefined: n/a, as in the tables.
                var n = ds.seeds[ctx.dataIndex];
                return 'ours: ' + v.toFixed(2) + ' ± ' + (n < 2 ? 'n/a' : ds.errors[ctx.dataIndex].toFixed(2)) + ' (' + n + (n === 1 ? ' seed)' : ' seeds)');
              }
              return ds.label + ': ' + v.toFixed(2);
            } } } } } });
    });

    data.histograms.forEach(function (h) {
      make(h.id, { type: 'bar', data: { labels: h.labels, datasets: [
          { label: 'correct', data: h.correct, backgroundColor: C.ok },
          { label: 'incorrect', data: h.incorrect, backgroundColor: C.bad }] },
        options: { scales: { x: { title: { display: true, text: 'margin p(1) − p(2)' } },
                             y: { beginAtZero: true, title: { display: true, text: 'samples' }, ticks: { precision: 0 } } },
                   plugins: { title: title(h.title) } } });
    });

    data.sweeps.forEach(function (s) {
      var sets = [
        { label: 'selected % (margin < τ)', data: s.selected, borderColor: C.selected, backgroundColor: C.selected, borderDash: [5, 4] },
        { label: 'accuracy of selected %', data: s.accSelected, borderColor: C.accSel, backgroundColor: C.accSel },
        { label: 'accuracy of unselected %', data: s.accUnselected, borderColor: C.accUnsel, backgroundColor: C.accUnsel }];
      if (s.simulated) sets.push({ label: 'simulated: adapt only margin < τ, %', data: s.simulated, borderColor: C.sim, backgroundColor: C.sim, borderWidth: 3 });
      if (s.paperSelected) sets.push({ label: 'paper: % flagged (Qwen2.5-1.5B-Instruct)', data: s.paperSelected, showLine: false,
        pointStyle: 'rectRot', pointRadius: 7, borderColor: C.paper, backgroundColor: '#fff' });
      if (s.paperAccuracy) sets.push({ label: 'paper: TT-SI accuracy (Qwen2.5-1.5B-Instruct)', data: s.paperAccuracy, showLine: false,
        pointStyle: 'rectRot', pointRadius: 7, borderColor: C.paper, backgroundColor: C.paper });
      make(s.id, { type: 'line', data: { labels: s.taus, datasets: sets }, plugins: [tauMarker],
        options: { elements: { point: { radius: 2 } }, spanGaps: false,
          scales: { x: { title: { display: true, text: 'τ' } }, y: pctAxis('%') },
          plugins: { title: title(s.title), tauMarker: { index: s.runTau }, legend: { labels: { boxWidth: 14, font: { size: 11 } } } } } });
    });

    var st = data.stages;
    make(st.id, { type: 'bar', data: { labels: st.labels, datasets: Object.keys(st.series).map(function (k) {
        return { label: k, data: st.series[k], backgroundColor: C.stages[k] || '#999' }; }) },
      options: { indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: 'mean seconds per sample' } }, y: { stacked: true } },
                 plugins: { title: title('Time per stage (stacked, mean seconds per sample)') } } });
  }

  try {
    build(JSON.parse(document.getElementById('report-data').textContent));
    document.getElementById('chart-state').textContent = JSON.stringify(state);
    body.setAttribute('data-charts', String(Object.keys(state).length));
    body.setAttribute('data-ok', 'true');
  } catch (e) {
    body.setAttribute('data-error', String((e && e.message) || e));
    if (window.console) console.error(e);
  }

  // Following a link to a sample opens its details (and the run's list around it).
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    for (var p = el; p; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
    el.scrollIntoView();
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
