/* Intake page: location from the phone's GPS or a tap on the map, and duplicates nearby. */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var crs = document.getElementById("id_crs"), status = document.getElementById("location-status");
  var data = JSON.parse(document.getElementById("intake-geojson").textContent);
  var map = window.youlinMap("intake-map", data);
  // A signed-in resident's own community, when known: open the map on it rather than on every community.
  var home = (data.features || []).filter(function (f) { return f.properties && f.properties.home; })[0];
  if (home) { map.fitBounds(L.geoJSON(home).getBounds(), { padding: [10, 10] }); }
  var marker = null;
  function place(latlng, label) {
    lon.value = latlng.lng.toFixed(7); lat.value = latlng.lat.toFixed(7); crs.value = "wgs84";
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    status.textContent = label + " " + lat.value + ", " + lon.value;
    var category = document.getElementById("id_category");
    if (category.value && window.htmx) { htmx.trigger(category, "change"); }
    // The suggested categories also name who would get the case here.
    var description = document.getElementById("id_description");
    if (description && description.value.trim() && window.htmx) { htmx.trigger(description, "input"); }
  }
  if (lon.value && lat.value) { place(L.latLng(+lat.value, +lon.value), "✓"); }
  map.on("click", function (e) { place(e.latlng, "✓"); });
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = status.dataset.unavailable || "—"; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      map.setView(ll, 18); place(ll, "\u2713");
    }, function (err) { status.textContent = err.message; }, { enableHighAccuracy: true, timeout: 10000 });
  });
  // The category list's search box is handled by intake-suggest.js (names, synonyms, pinyin and initials).
})();
