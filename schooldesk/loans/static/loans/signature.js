// The agreement's signature pad (loans/agreement_views.py): drawn with a finger, a pen or the mouse (pointer
// events), kept as a PNG in the hidden "signature" field when the form is sent. Keyboard users choose the typed
// signature instead; the parts for the other ways of signing are hidden while one is chosen.
(function () {
  var form = document.getElementById("sign-form");
  var pad = document.getElementById("sign-pad");
  if (!form || !pad) { return; }
  var field = form.querySelector("input[name=signature]");
  var ctx = pad.getContext("2d");
  var drawing = false, drawn = false;
  ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#000";
  function point(event) {
    var box = pad.getBoundingClientRect();
    return { x: (event.clientX - box.left) * pad.width / box.width, y: (event.clientY - box.top) * pad.height / box.height };
  }
  pad.addEventListener("pointerdown", function (event) {
    drawing = true; pad.setPointerCapture(event.pointerId);
    var p = point(event); ctx.beginPath(); ctx.moveTo(p.x, p.y);
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event); ctx.lineTo(p.x, p.y); ctx.stroke(); drawn = true;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    pad.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("sign-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height); drawn = false; field.value = "";
  });
  var parts = { drawn: "sign-drawn", typed: "sign-typed", paper: "sign-paper" };
  function show() {
    var chosen = form.querySelector("input[name=method]:checked");
    var method = chosen ? chosen.value : "drawn";
    Object.keys(parts).forEach(function (key) { document.getElementById(parts[key]).hidden = key !== method; });
  }
  form.querySelectorAll("input[name=method]").forEach(function (radio) { radio.addEventListener("change", show); });
  show();
  form.addEventListener("submit", function () {
    var chosen = form.querySelector("input[name=method]:checked");
    if (drawn && (!chosen || chosen.value === "drawn")) { field.value = pad.toDataURL("image/png"); }
  });
})();
