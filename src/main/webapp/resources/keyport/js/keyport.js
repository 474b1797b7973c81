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

/** Opens the new-key dialog for the product and plan an "Add key" button carries as data. */
Keyport.openNewKey = function (button) {
  keyportOpenNewKey([
    { name: 'product', value: button.getAttribute('data-product') },
    { name: 'plan', value: button.getAttribute('data-plan') }
  ]);
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

/** Base64 of a string's UTF-8 bytes. */
Keyport.base64 = function (text) {
  var bytes = new TextEncoder().encode(text);
  var binary = '';
  for (var i = 0; i < bytes.length; i++) {
    binary += String.fromCharCode(bytes[i]);
  }
  return btoa(binary);
};

/**
 * Builds Gloo's API-key Kubernetes Secret (SPEC §11) from the value shown in the element the link
 * names (data-value-of) and the key's other fields the page rendered (data-k8s-secret, without the
 * value), and downloads it: the value never travels in another request.
 */
Keyport.downloadSecret = function (link) {
  var secret = JSON.parse(link.getAttribute('data-k8s-secret'));
  var blob = new Blob([Keyport.secretYaml(link)], {type: 'application/yaml'});
  var url = URL.createObjectURL(blob);
  var save = document.createElement('a');
  save.href = url;
  save.download = secret.name + '.yaml';
  document.body.appendChild(save);
  save.click();
  document.body.removeChild(save);
  setTimeout(function () {
    URL.revokeObjectURL(url);
  }, 1000);
};

/** The Secret's YAML for a download link (see downloadSecret), as the server writes it. */
Keyport.secretYaml = function (link) {
  var secret = JSON.parse(link.getAttribute('data-k8s-secret'));
  var value = document.getElementById(link.getAttribute('data-value-of')).textContent.trim();
  var quoted = function (text) {
    return JSON.stringify(String(text));
  };
  var lines = ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: ' + quoted(secret.name),
    '  labels:'];
  Object.keys(secret.labels).forEach(function (label) {
    lines.push('    ' + label + ': ' + quoted(secret.labels[label]));
  });
  lines.push('type: ' + secret.type, 'data:', '  "api-key": ' + Keyport.base64(value));
  Object.keys(secret.data).forEach(function (field) {
    lines.push('  ' + quoted(field) + ': ' + Keyport.base64(secret.data[field]));
  });
  return lines.join('\n') + '\n';
};

document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('[data-k8s-secret]');
  if (link) {
    event.preventDefault();
    Keyport.downloadSecret(link);
  }
});

// Pages hold no inline scripts (their Content Security Policy would block them): an API reference
// on the page starts once the document, and the Swagger UI bundle after it, have loaded.
document.addEventListener('DOMContentLoaded', function () {
  if (document.getElementById('apiReference') && window.SwaggerUIBundle) {
    Keyport.showApiReference('apiReference');
  }
});
