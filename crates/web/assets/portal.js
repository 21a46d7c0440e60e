// The portal's new-request form: screenshots pasted from the clipboard, dropped onto the
// form or chosen from files all end up in the one file input, with a thumbnail each, and the
// live checklist hears how many pictures there are. Without this script the file input
// still works on its own.
(function () {
  "use strict";
  var input, list, count, form;
  var files = [];

  function isPicture(file) {
    return /^image\/(png|jpeg|gif|webp)$/.test(file.type);
  }

  function sync() {
    var transfer = new DataTransfer();
    files.forEach(function (f) { transfer.items.add(f); });
    input.files = transfer.files;
    count.value = String(files.filter(isPicture).length);
    list.textContent = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      if (isPicture(file)) {
        var img = document.createElement("img");
        img.alt = file.name;
        var reader = new FileReader();
        reader.onload = function () { img.src = reader.result; };
        reader.readAsDataURL(file);
        item.appendChild(img);
      }
      var name = document.createElement("span");
      name.textContent = file.name;
      item.appendChild(name);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = document.documentElement.lang === "en" ? "Remove" : "Quitar";
      remove.setAttribute("aria-label", remove.textContent + " " + file.name);
      remove.addEventListener("click", function () {
        files.splice(index, 1);
        sync();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function add(newFiles) {
    for (var i = 0; i < newFiles.length; i++) {
      var file = newFiles[i];
      // A pasted screenshot arrives as "image.png" every time: give each its own name.
      if (file.name === "image.png" || !file.name) {
        var stamp = new Date().toISOString().replace(/[:.]/g, "-");
        file = new File([file], "captura-" + stamp + "-" + (files.length + 1) + ".png", { type: file.type });
      }
      files.push(file);
    }
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("request-form");
    input = document.getElementById("request-files");
    list = document.getElementById("thumbnails");
    count = document.getElementById("pictures");
    if (!form || !input || !list || !count || typeof DataTransfer === "undefined") return;
    var drop = document.getElementById("drop");
    input.addEventListener("change", function (event) {
      if (event.isTrusted === false) return;
      var chosen = Array.prototype.slice.call(input.files);
      files = files.concat(chosen);
      sync();
    });
    document.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      if (items.length) {
        event.preventDefault();
        add(items);
      }
    });
    drop.addEventListener("dragover", function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      drop.classList.remove("over");
      if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
    });
  });
})();
