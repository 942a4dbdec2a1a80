/* youlin maps: outlines drawn from the project's own polygons, no base tiles by default (works offline). */
(function () {
  "use strict";
  var STYLES = {
    community: { color: "#1f6f5c", weight: 3, fill: false },
    grid: { color: "#6c757d", weight: 1, dashArray: "4 4", fill: false },
    compound: { color: "#0d6efd", weight: 1.5, fillOpacity: 0.08 },
    building: { color: "#fd7e14", weight: 1, fillOpacity: 0.35 },
    zone: { color: "#198754", weight: 1, fillOpacity: 0.25 },
  };
  // Names reach a map as text, never as HTML: a place named "<img onerror=…>" shows those characters.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  window.youlinText = text;
  window.youlinMap = function (elementId, collection, options) {
    options = options || {};
    var map = L.map(elementId, { attributionControl: false, zoomSnap: 0.25 });
    (window.youlinMaps = window.youlinMaps || []).push(map);
    var groups = {};
    L.geoJSON(collection, {
      style: function (f) { return STYLES[f.properties.layer] || {}; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#dc3545", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(text(f.properties.name));
        var key = f.properties.layer;
        (groups[key] = groups[key] || L.featureGroup()).addLayer(layer);
      },
    });
    Object.keys(groups).forEach(function (k) { groups[k].addTo(map); });
    var all = L.featureGroup(Object.values(groups));
    var bounds = all.getLayers().length ? all.getBounds() : null;
    if (bounds && !bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.fitBounds(bounds, { padding: [10, 10], maxZoom: options.zoom || 19 });
    } else if (bounds) { map.setView(bounds.getCenter(), options.zoom || 17); }
    else { map.setView([39.91, 116.36], 13); }
    if (options.tileUrl) { L.tileLayer(options.tileUrl, { maxZoom: 19 }).addTo(map); }
    var labels = options.labels || {};
    var overlays = {};
    Object.keys(groups).forEach(function (k) { overlays[labels[k] || k] = groups[k]; });
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    return map;
  };
  // A map declared in the page: <div id="x" data-youlin-map="id-of-a-json_script" data-zoom="17">.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-youlin-map]").forEach(function (el) {
      var data = JSON.parse(document.getElementById(el.dataset.youlinMap).textContent);
      window.youlinMap(el.id, data, { zoom: el.dataset.zoom ? Number(el.dataset.zoom) : undefined });
    });
  });
})();
