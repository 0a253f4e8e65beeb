// Passkey pages (templates/mfa/webauthn/scripts.html): when the browser's passkey prompt fails or is cancelled,
// allauth's webauthn.js dispatches `allauth.error`; say so on the page, where a screen reader hears it.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const box = document.getElementById('passkey-error')
    if (!box) return
    event.preventDefault()
    box.classList.remove('d-none')
    box.focus()
  })
})()
