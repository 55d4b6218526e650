// "Select all" for a list with row checkboxes: a checkbox with data-select-all="NAME" checks and
// unchecks every checkbox named NAME in its form, and shows "some" (indeterminate) when the rows
// are mixed. Without JavaScript the box is hidden and each row is chosen on its own.
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var rows = all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]');
    function sync() {
      var checked = Array.prototype.filter.call(rows, function (row) { return row.checked; }).length;
      all.checked = checked > 0 && checked === rows.length;
      all.indeterminate = checked > 0 && checked < rows.length;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = all.checked; });
      sync();
    });
    rows.forEach(function (row) { row.addEventListener("change", sync); });
    sync();
  });
})();
