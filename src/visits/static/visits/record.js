// The phone record form: offer to attach the device's location. Progressive enhancement:
// without this script (or without permission) the record is saved without a location.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-record-form]");
    var button = form && form.querySelector("[data-locate]");
    if (!button || !("geolocation" in navigator)) { return; }
    var status = form.querySelector("[data-locate-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
        status.textContent = position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5) +
          " (± " + Math.round(position.coords.accuracy) + " m)";
        button.disabled = false;
      }, function () {
        status.textContent = "✕";
        button.disabled = false;
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
    // One tap saves: a second tap while the first is sending would only resend the same record.
    form.addEventListener("submit", function () {
      var submit = form.querySelector("button[type=submit]");
      window.setTimeout(function () { submit.disabled = true; }, 0);
    });
  });
})();
