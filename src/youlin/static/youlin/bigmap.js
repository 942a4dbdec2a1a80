/* The dashboard map: clustered cases coloured by status, outlines and hotspots, with layer switches. No base
   tiles unless configured; for a GCJ-02 tile source the WGS-84 data is offset to match it. */
(function () {
  "use strict";
  var el = document.getElementById("big-map");
  if (!el) { return; }
  var labels = JSON.parse(el.dataset.labels);
  // Names are text, never HTML (a place named "<img onerror=…>" shows those characters).
  function text(value) { var span = document.createElement("span"); span.textContent = value == null ? "" : String(value); return span; }
  var gcj = el.dataset.tileGcj02 === "1";
  // WGS-84 → GCJ-02 (the same published formula the server uses to read GCJ-02 input).
  function outOfChina(lon, lat) { return !(lon > 72.004 && lon < 137.8347 && lat > 0.8293 && lat < 55.8271); }
  function tLat(x, y) { var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3; }
  function tLon(x, y) { var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3; }
  function toGcj(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad), s = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * s) * Math.PI);
    dLon = (dLon * 180) / (a / s * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  var coordsToLatLng = gcj ? function (c) { var g = toGcj(c[0], c[1]); return L.latLng(g[1], g[0]); }
                           : function (c) { return L.latLng(c[1], c[0]); };
  var map = L.map(el, { attributionControl: false, maxZoom: 19 });
  (window.youlinMaps = window.youlinMaps || []).push(map);
  if (el.dataset.tileUrl) { L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map); }
  var styles = { community: { color: "#1f6f5c", weight: 3, fill: false },
                 grid: { color: "#6c757d", weight: 1, dashArray: "4 4", fill: false },
                 compound: { color: "#0d6efd", weight: 1, fillOpacity: 0.05 },
                 zone: { color: "#198754", weight: 1, fillOpacity: 0.2 } };
  fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var groups = { community: L.featureGroup(), grid: L.featureGroup(), compound: L.featureGroup(),
                   zone: L.featureGroup(), hotspot: L.featureGroup(),
                   "case": L.markerClusterGroup({ maxClusterRadius: 40 }) };
    fc.features.forEach(function (f) {
      var p = f.properties, layer;
      if (p.layer === "case") {
        var ll = coordsToLatLng(f.geometry.coordinates);
        layer = L.circleMarker(ll, { radius: 7, color: "#fff", weight: 1, fillColor: p.colour, fillOpacity: 0.95 });
        var link = document.createElement("a");
        link.href = "/cases/" + encodeURIComponent(p.number) + "/";
        link.textContent = p.name;
        layer.bindPopup(link);
      } else if (p.layer === "hotspot") {
        layer = L.circleMarker(coordsToLatLng(f.geometry.coordinates), { radius: 10 + p.count, color: "#dc3545", weight: 3, fill: false });
        layer.bindTooltip(text(p.name));
      } else {
        layer = L.geoJSON(f, { style: styles[p.layer] || {}, coordsToLatLng: coordsToLatLng });
        layer.bindTooltip(text(p.name));
      }
      (groups[p.layer] || groups.compound).addLayer(layer);
    });
    var overlays = {};
    Object.keys(groups).forEach(function (k) { groups[k].addTo(map); overlays[labels[k] || k] = groups[k]; });
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    var bounds = groups.community.getLayers().length ? groups.community.getBounds() : null;
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([39.91, 116.36], 13); }
    el.dataset.cases = String(fc.features.filter(function (f) { return f.properties.layer === "case"; }).length);
    el.dataset.ready = "1";
  });
})();
