// The poster's "Print" button (a script file of its own: the CSP allows no inline script).
for (const button of document.querySelectorAll('[data-action="print"]')) {
  button.addEventListener("click", () => window.print());
}
