// SchoolDesk: htmx does the partial updates; this file keeps focus sensible after a swap and makes
// tables that scroll sideways (on a phone) reachable from the keyboard (WCAG 2.1.1, axe
// scrollable-region-focusable): such a wrapper becomes a focusable region named after its table.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = event.detail.target.querySelector("[data-focus-after-swap]");
  if (heading) { heading.focus(); }
});

function markScrollableTables(root) {
  root.querySelectorAll(".table-responsive").forEach(function (wrapper) {
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      var caption = wrapper.querySelector("caption");
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    } else if (wrapper.getAttribute("role") === "region") {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
    }
  });
}

document.addEventListener("DOMContentLoaded", function () { markScrollableTables(document); });
document.addEventListener("htmx:afterSettle", function () { markScrollableTables(document); });
var resizeTimer;
window.addEventListener("resize", function () {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(function () { markScrollableTables(document); }, 150);
});

// A form that came back with errors: its summary (components/form_errors.html) is read out (role="alert") and
// takes the focus, so a keyboard or screen-reader user starts from what needs doing.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-form-errors]");
  if (summary) { summary.focus(); }
});
