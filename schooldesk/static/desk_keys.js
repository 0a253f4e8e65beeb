// SchoolDesk: the desk's keyboard, in one static file (no inline scripts: the site runs under a strict CSP).
// - Shortcuts on lists of calls (j/k, x) and on a call (n/p, r, i, c, f, e, s), "?" for their list, "/" to search.
//   None fires while the person types in a field, or with Ctrl/Meta held; Alt+C also works from the reply box.
// - The saved-reply picker on a call: a <dialog> holding the call's replies rendered by the server (placeholders
//   filled); type to narrow, arrows to choose, Enter inserts at the cursor of the reply box.
// - The bulk form above a list: only the chosen action's fields show; "select all" boxes; how many are ticked.
// Every dialog is a native <dialog> opened with showModal(): focus moves into it, Escape closes it, and focus goes
// back to where it was.
(function () {
  "use strict";

  var LIST_KEY = "schooldesk:call-list";

  function isTyping(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // --- dialogs ---------------------------------------------------------------------------------------------------
  var returnFocus = null;

  function openDialog(dialog, opener) {
    if (!dialog || dialog.open) { return; }
    var content = dialog.querySelector("template[data-dialog-content]");
    if (content) {  // kept out of the page until first opened: its words are not the page's
      dialog.appendChild(content.content.cloneNode(true));
      content.remove();
    }
    returnFocus = opener || document.activeElement;
    dialog.showModal();
  }

  function closeDialog(dialog) {
    if (dialog && dialog.open) { dialog.close(); }
  }

  document.addEventListener("close", function (event) {
    if (event.target.tagName === "DIALOG" && returnFocus && document.contains(returnFocus)) {
      returnFocus.focus();
      returnFocus = null;
    }
  }, true);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) { closeDialog(closer.closest("dialog")); }
    var helpOpener = event.target.closest("[data-keys-help-open]");
    if (helpOpener) { openDialog(document.getElementById("keys-help"), helpOpener); }
    var cannedOpener = event.target.closest("[data-canned-open]");
    if (cannedOpener) { openCanned(cannedOpener); }
    if (event.target.closest("[data-canned-insert]")) { insertCanned(); }
  });

  // --- saved replies ---------------------------------------------------------------------------------------------
  var cannedTarget = null;

  function cannedParts() {
    var dialog = document.getElementById("canned-dialog");
    return dialog ? {
      dialog: dialog, search: dialog.querySelector("#canned-search"), choice: dialog.querySelector("#canned-choice"),
      preview: dialog.querySelector("#canned-preview")
    } : null;
  }

  function openCanned(opener) {
    var parts = cannedParts();
    if (!parts) { return; }
    cannedTarget = document.getElementById(opener.getAttribute("data-target"));
    var details = cannedTarget && cannedTarget.closest("details");
    if (details) { details.open = true; }
    openDialog(parts.dialog, cannedTarget || opener);
    var body = parts.dialog.querySelector("[data-canned-body]");
    if (body.getAttribute("data-loaded") === "yes") {
      focusCannedSearch();
      return;
    }
    fetch(opener.getAttribute("data-url"), {headers: {"HX-Request": "true"}, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        body.innerHTML = html;
        body.setAttribute("data-loaded", "yes");
        focusCannedSearch();
      });
  }

  function focusCannedSearch() {
    var parts = cannedParts();
    if (parts.search) {
      parts.search.value = "";  // a new search each time
      filterCanned();
      parts.search.focus();
    } else { parts.dialog.querySelector("[data-dialog-close]").focus(); }
  }

  function visibleOptions(select) {
    return Array.prototype.filter.call(select.options, function (option) { return !option.hidden; });
  }

  function showPreview() {
    var parts = cannedParts();
    var option = parts.choice && parts.choice.selectedOptions[0];
    if (parts.preview) { parts.preview.textContent = option ? option.getAttribute("data-text") : ""; }
  }

  function filterCanned() {
    var parts = cannedParts();
    var words = parts.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(parts.choice.options, function (option) {
      var text = (option.textContent + " " + option.getAttribute("data-text")).toLowerCase();
      option.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
    });
    var visible = visibleOptions(parts.choice);
    if (!parts.choice.selectedOptions[0] || parts.choice.selectedOptions[0].hidden) {
      parts.choice.selectedIndex = visible.length ? visible[0].index : -1;
    }
    showPreview();
  }

  function moveCanned(step) {
    var parts = cannedParts();
    var visible = visibleOptions(parts.choice);
    if (!visible.length) { return; }
    var at = visible.indexOf(parts.choice.selectedOptions[0]);
    var next = visible[Math.max(0, Math.min(visible.length - 1, at + step))];
    parts.choice.selectedIndex = next.index;
    showPreview();
  }

  function insertCanned() {
    var parts = cannedParts();
    var option = parts && parts.choice && parts.choice.selectedOptions[0];
    if (!option || option.hidden || !cannedTarget) { return; }
    var text = option.getAttribute("data-text");
    var box = cannedTarget;
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    if (start === 0 && end === 0 && box.value) { start = end = box.value.length; }  // never focused: add at the end
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", {bubbles: true}));
    returnFocus = box;
    closeDialog(parts.dialog);
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "canned-search") { filterCanned(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "canned-choice") { showPreview(); }
  });
  document.addEventListener("dblclick", function (event) {  // a mouse: a double click inserts the reply
    if (event.target.closest && event.target.closest("#canned-choice")) { insertCanned(); }
  });
  document.addEventListener("keydown", function (event) {
    if (!event.target.closest || !event.target.closest("#canned-dialog")) { return; }
    if (event.target.id === "canned-search" && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveCanned(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && (event.target.id === "canned-search" || event.target.id === "canned-choice")) {
      event.preventDefault();
      insertCanned();
    }
  });

  // --- lists: j/k, x, and the list a call page's n/p follow ------------------------------------------------------
  function callLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("table.table tbody tr td:first-child a[href^='/incidents/'], table.table tbody tr td:nth-child(2) a[href^='/incidents/']"))
      .filter(function (link) { return /^\/incidents\/\d+\/$/.test(link.getAttribute("href")); });
  }

  function rememberList() {
    var links = callLinks();
    if (!links.length || /^\/incidents\/\d+\/$/.test(location.pathname)) { return; }
    var seen = {};
    var hrefs = links.map(function (l) { return l.getAttribute("href"); })
      .filter(function (h) { if (seen[h]) { return false; } seen[h] = true; return true; });
    try { sessionStorage.setItem(LIST_KEY, JSON.stringify(hrefs)); } catch (e) { /* private mode: no n/p */ }
  }

  function moveInList(step) {
    var links = callLinks();
    if (!links.length) { return; }
    var at = links.indexOf(document.activeElement);
    var next = links[at === -1 ? (step > 0 ? 0 : links.length - 1) : Math.max(0, Math.min(links.length - 1, at + step))];
    next.focus();
    next.closest("tr").scrollIntoView({block: "nearest"});
  }

  function tickFocused() {
    var row = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr");
    var box = row && row.querySelector("input[data-pick]");
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }

  function neighbourCall(step) {
    var list;
    try { list = JSON.parse(sessionStorage.getItem(LIST_KEY) || "[]"); } catch (e) { list = []; }
    var at = list.indexOf(location.pathname);
    if (at !== -1 && list[at + step]) { location.href = list[at + step]; }
  }

  // --- a call: open an action's form and put the cursor in it -------------------------------------------------------
  function openAction(name, focusSelector) {
    var details = document.getElementById("action-" + name);
    if (!details) { return false; }
    details.open = true;
    var field = details.querySelector(focusSelector || "textarea, select, input:not([type=hidden])");
    if (field) { field.focus(); field.scrollIntoView({block: "center"}); }
    return true;
  }

  function note(isPublic) {
    if (!openAction("reply", "textarea")) { return; }
    var box = document.getElementById("id_reply_is_public");
    if (box) { box.checked = isPublic; }
  }

  // --- the keys ------------------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey) { return; }
    if (document.querySelector("dialog[open]")) { return; }  // a dialog has the keyboard
    var cannedOpener = document.querySelector("[data-canned-open]");
    if (event.altKey && event.code === "KeyC" && cannedOpener) {  // Alt+C: from the reply box too
      event.preventDefault();
      openCanned(cannedOpener);
      return;
    }
    if (event.altKey || isTyping(event.target)) { return; }
    var onCall = /^\/incidents\/\d+\/$/.test(location.pathname);
    var handled = true;
    switch (event.key) {
      case "?": openDialog(document.getElementById("keys-help")); break;
      case "/": var search = document.getElementById("site-search"); if (search) { search.focus(); } else { handled = false; } break;
      case "j": moveInList(1); break;
      case "k": moveInList(-1); break;
      case "x": tickFocused(); break;
      case "n": if (onCall) { neighbourCall(1); } else { handled = false; } break;
      case "p": if (onCall) { neighbourCall(-1); } else { handled = false; } break;
      case "r": note(true); break;
      case "i": note(false); break;
      case "c": if (cannedOpener) { openCanned(cannedOpener); } else { handled = false; } break;
      case "f": handled = openAction("assign"); break;
      case "e": handled = openAction("escalate"); break;
      case "s": handled = openAction("resolve", "textarea"); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  // --- the bulk form -------------------------------------------------------------------------------------------
  function showBulkFields(form) {
    var action = form.querySelector("select[name=action]");
    if (!action) { return; }
    form.querySelectorAll("[data-bulk-for]").forEach(function (wrapper) {
      var usedBy = wrapper.getAttribute("data-bulk-for").split(" ");
      wrapper.hidden = !action.value || usedBy.indexOf(action.value) === -1;
    });
  }

  function countTicked() {
    var boxes = document.querySelectorAll("input[data-pick]:checked");
    var seen = {};
    Array.prototype.forEach.call(boxes, function (box) { seen[box.value] = true; });
    var n = Object.keys(seen).length;
    document.querySelectorAll("[data-pick-count]").forEach(function (out) {
      out.textContent = n ? "(" + n + " " + (out.getAttribute("data-ticked") || "ticked") + ")" : "";
    });
    document.querySelectorAll("input[data-pick-all]").forEach(function (all) {
      var own = all.closest("table").querySelectorAll("input[data-pick]");
      var ticked = Array.prototype.filter.call(own, function (b) { return b.checked; }).length;
      all.checked = own.length > 0 && ticked === own.length;
      all.indeterminate = ticked > 0 && ticked < own.length;
    });
  }

  function setUpBulk(root) {
    root.querySelectorAll("form[data-bulk-form]").forEach(showBulkFields);
    root.querySelectorAll("input[data-pick-all]").forEach(function (all) { all.hidden = false; });
    countTicked();
    rememberList();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("form[data-bulk-form] select[name=action]")) {
      showBulkFields(target.form);
    } else if (target.matches && target.matches("input[data-pick-all]")) {
      target.closest("table").querySelectorAll("input[data-pick]").forEach(function (box) {
        box.checked = target.checked;
      });
      countTicked();
    } else if (target.matches && target.matches("input[data-pick]")) {
      // a call shown in two sections of the triage queue is one call: tick both boxes together
      document.querySelectorAll("input[data-pick][value='" + target.value + "']").forEach(function (box) {
        box.checked = target.checked;
      });
      countTicked();
    }
  });

  // "Save this view": the filters as they are now (htmx changes the address without reloading the page)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-save-view]")) {
      var query = form.querySelector("[data-save-view-query]");
      if (query) { query.value = location.search.replace(/^\?/, ""); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { setUpBulk(document); });
  document.addEventListener("htmx:afterSettle", function () { setUpBulk(document); });
})();
