// Audit by scan: where the browser can read QR codes from the camera (BarcodeDetector, e.g. Chrome
// on Android), offer it; every code read is added as a line of the "Scanned codes" box. Elsewhere a
// scanner (it types the code and Enter) or typing the tags works the same without this file.
(function () {
  var box = document.getElementById("camera");
  var codes = document.getElementById("id_codes");
  if (!box || !codes || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  box.hidden = false;
  var button = document.getElementById("camera-start");
  var video = document.getElementById("camera-view");
  var status = document.getElementById("camera-status");
  var seen = {};
  codes.value.split(/\r?\n/).forEach(function (c) { if (c.trim()) { seen[c.trim()] = true; } });
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128", "code_39"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play(); button.disabled = true;
      status.textContent = "Point the camera at each label.";
      var tick = function () {
        detector.detect(video).then(function (found) {
          found.forEach(function (code) {
            var value = (code.rawValue || "").trim();
            if (value && !seen[value]) {
              seen[value] = true;
              codes.value = (codes.value.trim() ? codes.value.trim() + "\n" : "") + value + "\n";
              status.textContent = "Scanned: " + value;
            }
          });
        }).catch(function () {}).finally(function () { window.setTimeout(tick, 300); });
      };
      tick();
    }).catch(function () { status.textContent = "The camera is not available: type or scan the codes instead."; });
  });
})();
