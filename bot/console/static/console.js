// Progressive enhancement only: ask before destructive submits (forms with data-confirm).
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
