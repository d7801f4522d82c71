// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Add member": copy the formset's empty form. Without JS the blank rows rendered by
  // the server serve the same purpose.
  function setUpFormset(root) {
    var prefix = root.getAttribute("data-formset");
    var total = root.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var max = root.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var template = root.querySelector("template[data-empty-form]");
    var list = root.querySelector("[data-forms]");
    var button = root.querySelector("[data-add-form]");
    if (!total || !template || !list || !button) { return; }
    var limit = max ? parseInt(max.value, 10) : 1000;

    function update() { button.disabled = parseInt(total.value, 10) >= limit; }

    button.hidden = false;
    update();
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= limit) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = list.lastElementChild;
      var first = added && added.querySelector("input, select");
      if (first) { first.focus(); }
      update();
    });
  }

  // An amount field with the rules in force (data-min / data-max, written under it as
  // words): say as the person types that the amount is outside them. The server still
  // refuses it; this only spares a round trip.
  function setUpLimits(input) {
    var min = input.getAttribute("data-min"), max = input.getAttribute("data-max");
    var warning = document.createElement("p");
    warning.className = "help limit-warning";
    warning.setAttribute("role", "status");
    warning.hidden = true;
    input.insertAdjacentElement("afterend", warning);
    input.addEventListener("input", function () {
      var value = parseFloat(input.value.replace(/[,，\s]/g, "").replace(/[０-９]/g, function (d) {
        return String.fromCharCode(d.charCodeAt(0) - 0xFEE0);
      }));
      var text = "";
      if (!isNaN(value) && max !== null && value > parseFloat(max)) {
        text = (input.getAttribute("data-over") || "Above the limit: ") + max;
      } else if (!isNaN(value) && min !== null && value < parseFloat(min)) {
        text = (input.getAttribute("data-under") || "Below the minimum: ") + min;
      }
      warning.textContent = text;
      warning.hidden = !text;
    });
  }

  // What scrolls sideways (the menu, tabs, wide tables) says so on a narrow screen: the
  // side with more content fades out (CSS: .more-left / .more-right), and the current
  // menu entry or tab is scrolled into view rather than left off-screen.
  var SCROLLERS = ".mainnav ul, .tabs ul, .table-scroll";

  function markSides(el) {
    var more = el.scrollWidth - el.clientWidth > 1;
    el.classList.toggle("more-left", more && el.scrollLeft > 1);
    el.classList.toggle("more-right", more && el.scrollLeft + el.clientWidth < el.scrollWidth - 1);
    el.classList.toggle("has-more", more);
  }

  function showStart(el) {
    var current = el.querySelector("[aria-current]");
    if (el.getAttribute("data-start") === "end") {
      el.scrollLeft = el.scrollWidth;
    } else if (current && current.offsetLeft + current.offsetWidth > el.scrollLeft + el.clientWidth) {
      // Into view without moving the page up or down (scrollIntoView would).
      el.scrollLeft = current.offsetLeft - (el.clientWidth - current.offsetWidth) / 2;
    }
    markSides(el);
  }

  function setUpScroller(el) {
    showStart(el);
    el.addEventListener("scroll", function () { markSides(el); }, { passive: true });
  }

  function markAll() {
    Array.prototype.forEach.call(document.querySelectorAll(SCROLLERS), markSides);
  }

  function showAll() {  // the screen turned or the window narrowed
    Array.prototype.forEach.call(document.querySelectorAll(SCROLLERS), showStart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(SCROLLERS), setUpScroller);
    window.addEventListener("resize", showAll);
    // A table in a closed <details> has no width until it opens.
    document.addEventListener("toggle", markAll, true);

    Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), setUpFormset);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-min], input[data-max]"), setUpLimits);

    // Open the reveal box and put the cursor in its reason field.
    Array.prototype.forEach.call(document.querySelectorAll("details.reveal"), function (details) {
      details.addEventListener("toggle", function () {
        var input = details.open && details.querySelector("input[name=reason]");
        if (input) { input.focus(); }
      });
    });
  });
})();
