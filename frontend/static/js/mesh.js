/* Mesh Catalog — the little behaviour htmx does not cover: picker chips, copy buttons,
   keyboard handling of the suggestion lists. No framework, no build step. */
(function () {
  "use strict";

  function addChip(picker, value, label) {
    var chips = picker.querySelector("[data-chips]");
    var name = picker.getAttribute("data-picker");
    if (picker.getAttribute("data-single") === "true") chips.innerHTML = "";
    if (chips.querySelector('input[value="' + CSS.escape(value) + '"]')) return;
    var li = document.createElement("li");
    li.className = "chip";
    var input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", "Remove " + label);
    li.appendChild(input);
    li.appendChild(document.createTextNode(label + " "));
    li.appendChild(remove);
    chips.appendChild(li);
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest(".pick");
    if (pick) {
      var picker = pick.closest(".picker");
      addChip(picker, pick.getAttribute("data-pick-value"), pick.getAttribute("data-pick-label"));
      picker.querySelector(".picker-results").innerHTML = "";
      var search = picker.querySelector('input[type="search"]');
      search.value = "";
      search.focus();
      return;
    }
    var remove = event.target.closest(".chip-remove");
    if (remove) { remove.closest(".chip").remove(); return; }
    var clear = event.target.closest("[data-clear]");
    if (clear) { document.querySelector(clear.getAttribute("data-clear")).innerHTML = ""; return; }
    var copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(document.querySelector(copy.getAttribute("data-copy")).textContent.trim());
      copy.textContent = "Copied";
      return;
    }
    document.querySelectorAll(".suggest").forEach(function (box) {
      if (!box.parentElement.contains(event.target)) box.innerHTML = "";
    });
  });

  // Keyboard: ↓ from a search box enters its suggestions, Esc closes them.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    var box = field.closest && field.closest("form") && field.closest("form").querySelector(".suggest");
    if (!box) return;
    var links = Array.prototype.slice.call(box.querySelectorAll("a"));
    if (event.key === "Escape") { box.innerHTML = ""; if (field.tagName === "A") field.closest("form").querySelector("input[type=search]").focus(); return; }
    if (!links.length || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
    var index = links.indexOf(document.activeElement);
    index = event.key === "ArrowDown" ? Math.min(links.length - 1, index + 1) : index - 1;
    event.preventDefault();
    if (index < 0) field.closest("form").querySelector("input[type=search]").focus();
    else links[index].focus();
  });

  // A picker's search box must not submit the port form when Enter is pressed.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest && event.target.closest(".picker") && event.target.type === "search") event.preventDefault();
  });
})();
