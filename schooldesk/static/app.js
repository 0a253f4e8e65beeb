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

// On a phone a stacked table (.table-responsive-stack) loses its header row, so each cell says what it is
// (`data-label`, shown before it by app.css). Cells a template left without one take their column's heading.
function labelStackedCells(root) {
  root.querySelectorAll("table.table-responsive-stack").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[index] && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { labelStackedCells(document); });
document.addEventListener("htmx:afterSettle", function () { labelStackedCells(document); });

// No inline script (the Content-Security-Policy forbids it, docs/decisions/0015): buttons say what they do in data-
// attributes. data-copy-from="id": copy that field's value; data-print: print the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-from], [data-print]");
  if (!button) { return; }
  if (button.hasAttribute("data-print")) {
    window.print();
  } else if (navigator.clipboard) {
    navigator.clipboard.writeText(document.getElementById(button.getAttribute("data-copy-from")).value);
  }
});
