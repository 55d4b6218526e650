// Advanced QR-Code Provisioning form: show only the parts that apply to the current choices
// (elements with data-show-when="field=value"); without JavaScript everything stays visible.
(function () {
  var form = document.querySelector(".qr-form");
  if (!form) return;
  function value(name) {
    var checked = form.querySelector('[name="' + name + '"]:checked');
    var field = form.querySelector('[name="' + name + '"]');
    if (!field) return "";
    if (field.type === "radio") return checked ? checked.value : "";
    if (field.type === "checkbox") return field.checked ? "on" : "";
    return field.value;
  }
  function update() {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      el.hidden = value(rule[0]) !== rule[1];
    });
  }
  form.addEventListener("change", update);
  update();
})();
