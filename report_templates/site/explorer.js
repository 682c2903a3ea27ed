/* The explorer of one indicator (see pipeline/publish/explorer.py). Reads its settings from
   <script id="tpx-config">, loads the indicator's data file and, per map, the boundary file with
   <script src> (works from file:// and any static server), keeps the selection in the URL hash and
   draws map and trend with Vega-Embed from the Vega-Lite templates made by the Altair builders. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("tpx-config").textContent);
  var box = document.getElementById("explorer");
  var assetRoot = box.getAttribute("data-asset-root");
  var siteRoot = box.getAttribute("data-root");
  var L = cfg.labels, N = cfg.names;
  var DECIMALS = { percent: 1, ratio: 2, count: 0 };
  var numberFormat = new Intl.NumberFormat(cfg.lang === "nl" ? "nl-NL" : "en-GB", {
    minimumFractionDigits: DECIMALS[cfg.unit] || 0, maximumFractionDigits: DECIMALS[cfg.unit] || 0 });
  var countFormat = new Intl.NumberFormat(cfg.lang === "nl" ? "nl-NL" : "en-GB", { maximumFractionDigits: 2 });
  var data = null, geos = {}, waiting = {}, state = {}, views = {};
  var P = 0, D = 1, S = 2, B = 3, LV = 4, CODE = 5, VAL = 6, NUM = 7, DEN = 8, FLAG = 9, YEAR = 10;

  window.TPX = {
    data: function (d) { data = d; start(); },
    geo: function (name, topology) {
      geos[name] = topology;
      (waiting[name] || []).forEach(function (f) { f(); });
      delete waiting[name];
    },
    state: state,
    rendered: 0
  };

  function load(src) {
    var s = document.createElement("script");
    s.src = assetRoot + src;
    s.onerror = function () { status(L.explorer_no_rows); };
    document.head.appendChild(s);
  }
  function withGeo(name, file, then) {
    if (geos[name]) { then(); return; }
    if (!waiting[name]) { waiting[name] = []; load(file); }
    waiting[name].push(then);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function status(text) { document.getElementById("tpx-status").textContent = text; }
  function fmt(v) { return v === null ? "–" : numberFormat.format(v); }
  function fmtCount(v) { return v === null ? "–" : countFormat.format(v); }

  /* --- the selection and the URL ---------------------------------------------------------- */
  var KEYS = ["period", "definition", "sex", "breakdown", "level"];
  function readHash() {
    var q = new URLSearchParams(location.hash.slice(1));
    KEYS.concat(["region"]).forEach(function (k) { if (q.has(k)) state[k] = q.get(k); });
  }
  function writeHash() {
    var q = new URLSearchParams();
    KEYS.concat(["region"]).forEach(function (k) { if (state[k] !== undefined && state[k] !== "") q.set(k, state[k]); });
    var hash = "#" + q.toString();
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
  function idx(kind, value) { return data.text[kind].indexOf(value); }
  function valid() {
    var t = data.text;
    function pick(kind, preferred) {
      if (t[kind].indexOf(state[kind]) >= 0) return;
      state[kind] = t[kind].indexOf(preferred) >= 0 ? preferred : t[kind][0];
    }
    pick("definition", "nl");
    pick("sex", "T");
    pick("breakdown", "");
    if (t.level.indexOf(state.level) < 0) {
      /* the first regional level with a published value for the rest of the selection */
      var regional = ["province", "corop", "arbeidsmarktregio", "municipality", "techniekpact", "landsdeel"]
        .filter(function (lv) { return t.level.indexOf(lv) >= 0; });
      var d0 = idx("definition", state.definition), s0 = idx("sex", state.sex), b0 = idx("breakdown", state.breakdown);
      var published = regional.filter(function (lv) {
        var l = idx("level", lv);
        return data.rows.some(function (r) { return r[LV] === l && r[D] === d0 && r[S] === s0 && r[B] === b0 && r[VAL] !== null; });
      });
      state.level = published.length ? published[0] : regional.length ? regional[0] : t.level[0];
    }
    if (t.period.indexOf(state.period) < 0) {
      var li = idx("level", state.level), di = idx("definition", state.definition), si = idx("sex", state.sex),
        bi = idx("breakdown", state.breakdown);
      var latest = -1;  /* the latest period with a published value for the rest of the selection */
      data.rows.forEach(function (r) {
        if (r[LV] === li && r[D] === di && r[S] === si && r[B] === bi && r[VAL] !== null && r[P] > latest) latest = r[P];
      });
      state.period = t.period[latest >= 0 ? latest : t.period.length - 1];
    }
  }
  function selected(level) {
    var p = idx("period", state.period), d = idx("definition", state.definition), s = idx("sex", state.sex),
      b = idx("breakdown", state.breakdown), l = idx("level", level);
    return data.rows.filter(function (r) { return r[P] === p && r[D] === d && r[S] === s && r[B] === b && r[LV] === l; });
  }

  /* --- controls --------------------------------------------------------------------------- */
  function control(kind, label, values, names) {
    var id = "tpx-" + kind;
    var wrap = el("div", { "class": "control" });
    wrap.appendChild(el("label", { "for": id }, label));
    var select = el("select", { id: id, name: kind });
    values.forEach(function (v) { select.appendChild(el("option", { value: v }, names ? (names[v] || v) : v)); });
    select.value = state[kind];
    select.addEventListener("change", function () { state[kind] = select.value; if (kind === "level") state.region = ""; update(); });
    wrap.appendChild(select);
    if (values.length < 2) wrap.hidden = true;
    return wrap;
  }
  function controls() {
    var form = document.getElementById("tpx-controls");
    form.textContent = "";
    var t = data.text;
    var periods = t.period.slice().reverse();
    form.appendChild(control("period", L.explorer_period, periods));
    form.appendChild(control("definition", L.explorer_definition, t.definition, N.definition));
    form.appendChild(control("sex", L.explorer_sex, t.sex, N.sex));
    form.appendChild(control("breakdown", L.explorer_breakdown, t.breakdown, N.breakdown));
    form.appendChild(control("level", L.explorer_level, t.level, N.level));
    var wrap = el("div", { "class": "control search" });
    wrap.appendChild(el("label", { "for": "tpx-region" }, L.explorer_region));
    var input = el("input", { id: "tpx-region", type: "search", list: "tpx-region-list", autocomplete: "off",
      "aria-describedby": "tpx-region-hint" });
    wrap.appendChild(input);
    wrap.appendChild(el("span", { id: "tpx-region-hint", "class": "hint" }, L.explorer_region_hint));
    wrap.appendChild(el("datalist", { id: "tpx-region-list" }));
    input.addEventListener("change", function () {
      var code = codeOfName(input.value);
      if (code) { state.region = code; update(); }
    });
    form.appendChild(wrap);
  }
  function codeOfName(name) {
    var wanted = name.trim().toLowerCase();
    var li = idx("level", state.level), found = "";
    data.rows.some(function (r) {
      if (r[LV] === li && (data.names[r[CODE]] || "").toLowerCase() === wanted) { found = r[CODE]; return true; }
      return false;
    });
    return found;
  }

  /* --- output ----------------------------------------------------------------------------- */
  function page(code) {
    var p = cfg.regionPages[code];
    return p ? siteRoot + p : "";
  }
  function shown(r) {
    if (r[VAL] !== null) return fmt(r[VAL]);
    var flag = data.text.flag[r[FLAG]];
    return flag.indexOf("suppressed") >= 0 ? L.flag_suppressed : L.no_data;
  }
  function ranked(rows) {
    return rows.slice().sort(function (a, b) {
      if (a[VAL] === null || b[VAL] === null) {
        if (a[VAL] !== b[VAL]) return a[VAL] === null ? 1 : -1;
      } else if (a[VAL] !== b[VAL]) return b[VAL] - a[VAL];
      return (data.names[a[CODE]] || "").localeCompare(data.names[b[CODE]] || "", cfg.lang);
    });
  }
  function table(rows) {
    var body = document.querySelector("#tpx-table tbody");
    body.textContent = "";
    var rank = 0;
    rows.forEach(function (r) {
      var tr = el("tr", { "data-code": r[CODE] });
      if (r[VAL] !== null) rank += 1;
      tr.appendChild(el("td", {}, r[VAL] !== null ? String(rank) : ""));
      var th = el("th", { scope: "row", "class": "text" });
      var href = page(r[CODE]);
      if (href) th.appendChild(el("a", { href: href }, data.names[r[CODE]])); else th.textContent = data.names[r[CODE]];
      tr.appendChild(th);
      var value = el("td", { "data-value": r[VAL] === null ? "" : String(r[VAL]) }, shown(r));
      if (r[VAL] === null) value.className = "missing";
      tr.appendChild(value);
      tr.appendChild(el("td", {}, fmtCount(r[NUM])));
      tr.appendChild(el("td", {}, fmtCount(r[DEN])));
      tr.appendChild(el("td", { "class": "text" }, N.flag[data.text.flag[r[FLAG]]] || ""));
      body.appendChild(tr);
    });
    document.getElementById("tpx-table-caption").textContent =
      L.explorer_table + ": " + N.level[state.level] + ", " + state.period;
  }
  function walk(node, f) {
    if (Array.isArray(node)) node.forEach(function (n) { walk(n, f); });
    else if (node && typeof node === "object") { f(node); Object.keys(node).forEach(function (k) { walk(node[k], f); }); }
  }
  function embed(name, target, spec) {
    var old = views[name];
    if (old) old.finalize();
    return vegaEmbed(target, spec, { actions: false, renderer: "svg", formatLocale: cfg.locale,
      tooltip: { theme: "light" } }).then(function (result) { views[name] = result; return result; });
  }
  function drawMap(rows) {
    var target = document.getElementById("tpx-map");
    var note = document.getElementById("tpx-map-note");
    var years = {};
    rows.forEach(function (r) { years[r[YEAR]] = (years[r[YEAR]] || 0) + 1; });
    var year = Object.keys(years).sort(function (a, b) { return years[b] - years[a]; })[0];
    var geo = data.geo[state.level + "|" + year];
    if (!rows.length || !geo) {
      if (views.map) { views.map.finalize(); delete views.map; }
      target.textContent = "";
      note.textContent = state.level === "national" || !rows.length ? "" : L.explorer_no_map;
      target.setAttribute("data-state", location.hash);
      TPX.rendered += 1;
      return;
    }
    note.textContent = L.explorer_boundaries + " " + year + ". " + L.explorer_map_hint;
    withGeo(geo.name, geo.file, function () {
      var byRegion = {};
      rows.forEach(function (r) {
        var flag = data.text.flag[r[FLAG]];
        byRegion[r[CODE]] = { name: data.names[r[CODE]], value: r[VAL], shown: shown(r),
          flag_text: N.flag[flag] || "", numerator_text: fmtCount(r[NUM]), denominator_text: fmtCount(r[DEN]),
          status: r[VAL] === null ? (flag.indexOf("suppressed") >= 0 ? L.flag_suppressed : L.no_data) : null,
          page: page(r[CODE]) };
      });
      var records = [];
      if (geo.members) {
        Object.keys(geo.members).forEach(function (m) {
          var rec = byRegion[geo.members[m]];
          if (rec) records.push(Object.assign({ code: m }, rec));
        });
      } else Object.keys(byRegion).forEach(function (c) { records.push(Object.assign({ code: c }, byRegion[c])); });
      var known = rows.filter(function (r) { return r[VAL] !== null; }).map(function (r) { return r[VAL]; });
      var domain = known.length ? [Math.min.apply(null, known), Math.max.apply(null, known)] : [0, 1];
      if (domain[0] === domain[1]) domain = [domain[0], domain[0] + 1];
      var spec = JSON.parse(JSON.stringify(cfg.map));
      walk(spec, function (n) {
        /* a level drawn on its municipalities: faint inner lines, so the regions read as areas */
        if (geo.members && n.type === "geoshape") n.strokeWidth = 0.15;
        if (n.format && n.format.feature) n.format.feature = geo.feature;
        if (n.scale && n.scale.type === "quantize") {
          n.scale.domain = domain;
          if (!known.length) n.legend = null;  /* nothing to colour: no value scale to read */
        }
      });
      spec.datasets = { regions: records, shapes: geos[geo.name] };
      var narrow = (target.clientWidth || 300) < 480;
      if (narrow) walk(spec, function (n) {  /* a phone: legends below the map, the map the full width */
        if (n.legend && typeof n.legend === "object") { n.legend.orient = "bottom"; n.legend.direction = "horizontal"; }
      });
      /* the Netherlands is about 1.2 times as tall as wide: the plot gets that shape beside (wide
         screens) or above (phones) its legends, so no band of white is left under the map */
      spec.width = Math.min(target.clientWidth || 300, 520) - 10;
      spec.height = Math.round(narrow ? spec.width * 1.2 + 70 : (spec.width - 120) * 1.2 + 30);
      spec.description = L.explorer_map + ": " + document.querySelector("h1").textContent;
      embed("map", target, spec).then(function (result) {
        result.view.addEventListener("click", function (event, item) {
          var href = item && item.datum && item.datum.page;
          if (href) location.href = href;
        });
        target.setAttribute("data-state", location.hash);
        TPX.rendered += 1;
      });
    });
  }
  function drawTrend() {
    var target = document.getElementById("tpx-trend");
    var d = idx("definition", state.definition), s = idx("sex", state.sex), b = idx("breakdown", state.breakdown);
    var quarterly = state.period.indexOf("-Q") >= 0;
    var wanted = [["national", "NL01"]];
    var regionName = data.names[state.region];
    if (state.region && state.level !== "national") wanted.unshift([state.level, state.region]);
    var records = [];
    wanted.forEach(function (w) {
      var l = idx("level", w[0]);
      data.rows.forEach(function (r) {
        var period = data.text.period[r[P]];
        if (r[D] === d && r[S] === s && r[B] === b && r[LV] === l && (w[0] !== "national" || true) &&
            (w[0] === "national" || r[CODE] === w[1]) && (period.indexOf("-Q") >= 0) === quarterly) {
          records.push({ period: period, value: r[VAL], shown: shown(r),
            series: w[0] === "national" ? L.national : regionName, tpx_series: 1 });
        }
      });
    });
    var heading = document.getElementById("tpx-trend-title");
    heading.textContent = L.explorer_trend + ": " + (state.region && regionName ? regionName + " – " : "") + L.national;
    var periods = {};
    records.forEach(function (r) { periods[r.period] = true; });
    if (!records.length) { target.textContent = ""; return; }
    var text = JSON.stringify(cfg.line).split('"__region"').join(JSON.stringify(regionName || "–"))
      .split('"__national"').join(JSON.stringify(L.national));
    var spec = JSON.parse(text);
    if (!(state.region && regionName)) {
      walk(spec, function (n) { if (n.scale && Array.isArray(n.scale.domain) && n.scale.domain.length === 2) {
        n.scale.domain = n.scale.domain.slice(1); n.scale.range = n.scale.range.slice(0, 1); } });
    }
    spec.datasets = { series: records };
    spec.width = Math.min(target.clientWidth || 300, 640) - 70;
    embed("trend", target, spec);
  }
  function national() {
    var rows = selected("national");
    var out = document.getElementById("tpx-national");
    out.textContent = rows.length ? L.explorer_national_value + ", " + state.period + ": " + shown(rows[0]) : "";
    out.setAttribute("data-value", rows.length && rows[0][VAL] !== null ? String(rows[0][VAL]) : "");
  }
  function regionLink() {
    var link = document.getElementById("tpx-region-page");
    var href = state.region ? page(state.region) : "";
    link.hidden = !href;
    if (href) { link.href = href; link.textContent = L.explorer_open_region + ": " + data.names[state.region]; }
  }
  function datalist(rows) {
    var list = document.getElementById("tpx-region-list");
    list.textContent = "";
    rows.map(function (r) { return data.names[r[CODE]]; }).sort().forEach(function (n) {
      list.appendChild(el("option", { value: n }));
    });
    document.getElementById("tpx-region").value = state.region ? (data.names[state.region] || "") : "";
  }
  var current = [];
  function update() {
    valid();
    writeHash();
    KEYS.forEach(function (k) { var s = document.getElementById("tpx-" + k); if (s) s.value = state[k]; });
    var rows = ranked(selected(state.level));
    current = rows;
    status(rows.length ? "" : L.explorer_no_rows);
    table(rows);
    national();
    datalist(rows);
    regionLink();
    drawTrend();
    drawMap(state.level === "national" ? [] : rows);
  }

  /* --- download of the rows shown ---------------------------------------------------------- */
  var CSV_COLUMNS = ["indicator_id", "period", "definition", "sex", "breakdown", "region_level", "region_code",
    "region_name", "value", "numerator", "denominator", "unit", "flag"];
  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download() {
    var lines = [CSV_COLUMNS.join(",")];
    current.forEach(function (r) {
      lines.push([cfg.id, state.period, state.definition, state.sex, state.breakdown, state.level, r[CODE],
        data.names[r[CODE]], r[VAL], r[NUM], r[DEN], cfg.unit, data.text.flag[r[FLAG]]].map(csvCell).join(","));
    });
    var blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
    var a = el("a", { href: URL.createObjectURL(blob),
      download: [cfg.id, state.period, state.definition, state.sex, state.breakdown || "all", state.level].join("_")
        .replace(/[^A-Za-z0-9_.-]+/g, "-") + ".csv" });
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function start() {
    readHash();
    controls();
    document.getElementById("tpx-download").addEventListener("click", download);
    window.addEventListener("hashchange", function () { readHash(); update(); });
    box.hidden = false;
    update();
  }
  status(L.explorer_no_rows === undefined ? "" : "…");
  load(cfg.data);
})();
