// SchoolDesk: htmx does the partial updates; this file only keeps focus sensible after a swap.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = event.detail.target.querySelector("[data-focus-after-swap]");
  if (heading) { heading.focus(); }
});
