// The scanning page (loans/scanning.py): after each scan the box is emptied and focused again, ready for the next
// label (a USB scanner types the label's text and Enter). Where the browser reads QR codes from the camera
// (BarcodeDetector), a "Use the camera" button offers it: each code read is recorded as if it had been typed.
(function () {
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-code");
  if (!form || !input) { return; }
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    input.value = "";
    input.focus();
  });
  var box = document.getElementById("scan-camera");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  box.hidden = false;
  var button = document.getElementById("scan-camera-start");
  var video = document.getElementById("scan-camera-view");
  var last = "", lastAt = 0;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128", "code_39"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play(); button.disabled = true;
      var tick = function () {
        detector.detect(video).then(function (found) {
          var value = found.length ? (found[0].rawValue || "").trim() : "";
          var now = Date.now();
          if (value && (value !== last || now - lastAt > 4000)) {  // the same label held in view: once
            last = value; lastAt = now;
            input.value = value;
            form.requestSubmit();
          }
        }).catch(function () {}).finally(function () { window.setTimeout(tick, 400); });
      };
      tick();
    }).catch(function () { button.textContent = "The camera is not available: use a scanner or type the tag."; });
  });
})();
