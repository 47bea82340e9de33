/* The phone header's icons (furo's menu and 目次) are <label>s of hidden checkboxes; the
   templates give them role="button" and tabindex="0" (site/interface.py). This presses them
   with Enter and Space as a button is pressed, so the keyboard opens what a tap opens. */
"use strict";
document.addEventListener("keydown", (event) => {
  const label = event.target;
  if (!(label instanceof HTMLLabelElement) || label.getAttribute("role") !== "button") return;
  if (event.key !== "Enter" && event.key !== " ") return;
  event.preventDefault();
  label.click();
});
