// A "Copy" button: <button data-copy="ID" hidden> copies the text of the element with that id and says
// so in the next .copy-status. Without JavaScript the button stays hidden and the text can be selected.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) { return; }
    button.hidden = false;
    function done(text) { if (status) { status.textContent = text; } }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done("Copied."); },
                                                 function () { done("Copy failed: select the key and copy it."); });
        return;
      }
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done(document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
    });
  });
})();
