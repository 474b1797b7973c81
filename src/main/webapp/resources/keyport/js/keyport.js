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

/** Reads the text file chosen in a file input into the text area with id textAreaId. */
Keyport.readFileInto = function (input, textAreaId) {
  var file = input.files && input.files[0];
  if (!file) {
    return;
  }
  var reader = new FileReader();
  reader.onload = function () {
    document.getElementById(textAreaId).value = reader.result;
  };
  reader.readAsText(file);
};

/**
 * Renders the OpenAPI document at the element's data-schema address with Swagger UI, which the
 * WAR serves itself: no validator badge and no "try it out", so the page calls nothing outside.
 */
Keyport.showApiReference = function (elementId) {
  var element = document.getElementById(elementId);
  SwaggerUIBundle({
    url: element.getAttribute('data-schema'),
    domNode: element,
    deepLinking: false,
    validatorUrl: null,
    supportedSubmitMethods: [],
    defaultModelsExpandDepth: 0,
    docExpansion: 'list'
  });
};

// Pages hold no inline scripts (their Content Security Policy would block them): an API reference
// on the page starts once the document, and the Swagger UI bundle after it, have loaded.
document.addEventListener('DOMContentLoaded', function () {
  if (document.getElementById('apiReference') && window.SwaggerUIBundle) {
    Keyport.showApiReference('apiReference');
  }
});
