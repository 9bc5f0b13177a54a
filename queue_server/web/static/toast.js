/* A short message at the bottom of a page (element #toast), gone after 4 s;
 * errors stay red. Used by the counter console and the reports page. */
"use strict";

function toast(text, error = false) {
  const element = document.getElementById("toast");
  element.textContent = text;
  element.className = "toast" + (error ? " error" : "");
  element.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { element.hidden = true; }, 4000);
}
