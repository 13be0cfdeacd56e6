// The report's interactive parts, from the JSON in #report-data: loss curves (uPlot) and the volume viewer (NiiVue,
// one WebGL2 canvas per volume in axial/coronal/sagittal, crosshairs shared). Everything needed is in this page.
'use strict';
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  window.deepanatReport = { viewers: [] };

  function drawCharts() {
    const box = document.getElementById('charts');
    if (!box) return;
    // lay all boxes out first: each chart then takes the width its grid cell got
    const divs = data.charts.map(() => box.appendChild(document.createElement('div')));
    data.charts.forEach((c, k) => {
      const div = divs[k];
      div.className = 'chart';
      const series = [{ label: c.xLabel }].concat(c.series.map((s, i) => ({
        label: s.name, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: c.x.length < 60 },
      })));
      const opts = {
        title: c.title, width: Math.max(300, div.clientWidth), height: 280, series,
        scales: { x: { time: false } },
        axes: [{ label: c.xLabel, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, { label: c.yLabel }],
      };
      // NaN (no validation that epoch) comes as null: a gap
      const rows = [c.x].concat(c.series.map(s => s.values));
      new uPlot(opts, rows, div);
    });
  }

  function showFallback(why) {
    const fb = document.getElementById('fallback');
    if (!fb) return;
    fb.hidden = false;
    document.getElementById('fallback-why').textContent = why;
    const viewer = document.getElementById('viewer');
    if (viewer) viewer.hidden = true;
    document.body.dataset.viewer = 'fallback';
  }

  async function drawViewer() {
    const box = document.getElementById('viewer');
    if (!box || data.volumes.length === 0) { document.body.dataset.viewer = 'none'; return; }
    if (!document.createElement('canvas').getContext('webgl2')) {
      showFallback('This browser has no WebGL2, so the static montage is shown instead of the interactive viewer.');
      return;
    }
    const { Niivue, NVImage, MULTIPLANAR_TYPE, SHOW_RENDER } = niivue;
    const viewers = [];
    for (const v of data.volumes) {
      const row = document.createElement('div');
      row.className = 'viewer-row';
      const label = document.createElement('div');
      label.className = 'label';
      label.textContent = v.name;
      // NiiVue sizes its canvas to the parent: a box of fixed height keeps the label out of the drawing
      const holder = document.createElement('div');
      holder.className = 'canvas-box';
      const canvas = document.createElement('canvas');
      holder.appendChild(canvas);
      row.append(label, holder);
      box.appendChild(row);
      const nv = new Niivue({
        backColor: [0, 0, 0, 1], crosshairColor: [1, 0.2, 0.2, 1], crosshairWidth: 0.3, isColorbar: false, show3Dcrosshair: false,
        multiplanarShowRender: SHOW_RENDER.NEVER, multiplanarLayout: MULTIPLANAR_TYPE.ROW, loadingText: '',
      });
      await nv.attachToCanvas(canvas);
      const img = await NVImage.loadFromBase64({
        base64: v.niftiGz, name: v.name.replace(/\W+/g, '_') + '.nii.gz', colormap: v.colormap,
        cal_min: v.calMin, cal_max: v.calMax, trustCalMinMax: true,
      });
      nv.addVolume(img);
      nv.setSliceType(nv.sliceTypeMultiplanar);
      viewers.push(nv);
    }
    // every canvas drives the others: a click in any row moves all crosshairs
    viewers.forEach(nv => nv.broadcastTo(viewers.filter(o => o !== nv), { '2d': true, '3d': true }));
    const where = document.getElementById('location');
    viewers.forEach(nv => { nv.onLocationChange = loc => { where.textContent = loc && loc.string ? loc.string : ''; }; });
    window.deepanatReport.viewers = viewers;
    document.body.dataset.viewer = 'ready';
  }

  try { drawCharts(); } catch (e) { console.error('charts: ' + e); }
  drawViewer().catch(e => {
    console.error('viewer: ' + e);
    showFallback('The interactive viewer failed (' + e + '); the static montage is shown instead.');
  });
})();
