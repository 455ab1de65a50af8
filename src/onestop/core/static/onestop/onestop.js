// What the pages do in the browser, without inline script (the Content-Security-Policy
// allows scripts from this site only). Behaviour is asked for with data attributes:
//   <form data-once>           submitted once: a second click or Enter does nothing, and
//                              the button pressed shows its data-busy text (or is disabled);
//   <form data-confirm="…">    asks before submitting;
//   <button data-print>        prints the page.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var ask = form.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("data-once")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var pressed = event.submitter;
    if (pressed && pressed.dataset.busy) {
      pressed.textContent = pressed.dataset.busy;
      pressed.setAttribute("aria-disabled", "true");
      return;
    }
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("busy");
    });
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
