/* Keyport's few page helpers. */
var Keyport = Keyport || {};

/** Copies the text of the element with id textId, then shows the element with id noticeId. */
Keyport.copyText = function (textId, noticeId) {
  var text = document.getElementById(textId).textContent.trim();
  var done = function () {
    document.getElementById(noticeId).classList.remove('kp-hidden');
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
    return;
  }
  // Plain HTTP off localhost has no Clipboard API: copy through a selected, hidden text area.
  var area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'kp-offscreen';
  document.body.appendChild(area);
  area.select();
  try {
    if (document.execCommand('copy')) {
      done();
    }
  } finally {
    document.body.removeChild(area);
  }
};

/** Enables the PrimeFaces button widget named widgetVar when condition holds, else disables it. */
Keyport.enableWhen = function (condition, widgetVar) {
  if (condition) {
    PF(widgetVar).enable();
  } else {
    PF(widgetVar).disable();
  }
};
