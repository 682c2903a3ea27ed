/* Trend charts of a region page (pipeline/publish/explorer.py, region_trend): each <div
   class="tpx-region-trend"> holds, per panel, the index of its Vega-Lite template (the PDF's line
   chart; the page's templates are in <script id="tpx-templates">), the series names and the data
   in a JSON <script>; Vega-Embed draws one chart per panel, each with
   its own scale. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".tpx-region-trend");
  var templates = JSON.parse(document.getElementById("tpx-templates").textContent);
  var done = 0;
  boxes.forEach(function (box) {
    var cfg = JSON.parse(box.querySelector("script").textContent);
    var drawn = cfg.panels.map(function (panel) {
      var text = JSON.stringify(templates[panel.template]);
      panel.names.forEach(function (name, i) { text = text.split('"__s' + i + '"').join(JSON.stringify(name)); });
      var spec = JSON.parse(text);
      spec.datasets = { series: panel.records };
      var figure = document.createElement("figure");
      figure.className = "region-chart";
      var caption = document.createElement("figcaption");
      caption.textContent = panel.title + " (" + cfg.series + ")";
      var div = document.createElement("div");
      div.className = "chart-box";
      figure.appendChild(caption);
      figure.appendChild(div);
      box.appendChild(figure);
      return vegaEmbed(div, spec, { actions: false, renderer: "svg", formatLocale: cfg.locale });
    });
    Promise.all(drawn).then(function () {
      done += 1;
      document.body.setAttribute("data-charts-drawn", String(done));
    });
  });
  if (!boxes.length) document.body.setAttribute("data-charts-drawn", "0");
})();
