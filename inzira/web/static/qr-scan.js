// The wallet's Pay page: read a QR code in the browser with jsQR (served from this site's node_modules), from
// camera frames or from a chosen picture, then post its text exactly as a paste. A picture the browser cannot
// read, or any picture when the decoder is missing, goes to the server to be read instead.
(function () {
  "use strict";
  const SCAN_MAX_MS = 120000; // the camera stops by itself after two minutes without a code
  const SCAN_INTERVAL_MS = 150; // a frame every 150 ms: quick enough, and the phone stays cool
  const FRAME_SIDE_MAX_PX = 960; // camera frames are scaled down: jsQR's time grows with the pixels
  const IMAGE_SIDE_MAX_PX = 2400;
  const paste = document.getElementById("paste-form");
  const upload = document.getElementById("upload-form");
  if (!paste || !upload) return;
  const decoder = typeof window.jsQR === "function" ? window.jsQR : null;
  const canvas = document.createElement("canvas");

  function submitPayload(payload, source, fileName) {
    paste.elements.payload.value = payload;
    paste.elements.source.value = source;
    paste.elements.file_name.value = fileName || "";
    paste.requestSubmit();
  }

  function pixels(image, width, height, sideMaxPx) {
    const scale = Math.min(1, sideMaxPx / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return context.getImageData(0, 0, canvas.width, canvas.height);
  }

  function read(imageData, inversion) {
    const found = decoder(imageData.data, imageData.width, imageData.height, { inversionAttempts: inversion });
    return found && found.data ? found.data : null;
  }

  // A chosen picture.
  const imageInput = upload.elements.image;
  const imageMessage = upload.querySelector("[data-image-message]");
  imageInput.addEventListener("change", async () => {
    const file = imageInput.files[0];
    if (!file) return;
    if (file.size > Number(imageInput.dataset.maxBytes)) {
      imageMessage.textContent = "This picture is too large: choose one under " +
        Math.floor(Number(imageInput.dataset.maxBytes) / 1048576) + " MB.";
      return;
    }
    if (decoder) {
      imageMessage.textContent = "Reading the QR code on this device…";
      try {
        const bitmap = await createImageBitmap(file);
        const payload = read(pixels(bitmap, bitmap.width, bitmap.height, IMAGE_SIDE_MAX_PX), "attemptBoth");
        bitmap.close();
        if (payload) {
          imageMessage.textContent = "QR code read.";
          submitPayload(payload, "image", file.name);
          return;
        }
        imageMessage.textContent = "No QR code found on this device: sending the picture to the server to try.";
      } catch (error) {
        imageMessage.textContent = "This browser could not open the picture: sending it to the server to try.";
      }
    } else {
      imageMessage.textContent = "Sending the picture to the server to be read…";
    }
    upload.requestSubmit();
  });

  // The camera.
  const section = document.getElementById("scan-camera");
  const startButton = section && section.querySelector("[data-camera-start]");
  if (!startButton) return; // the server has no decoder to offer: the page says so
  const stopButton = section.querySelector("[data-camera-stop]");
  const video = section.querySelector("[data-camera-video]");
  const cameraMessage = section.querySelector("[data-camera-message]");
  let stream = null;
  let timer = 0;

  function stop(text) {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.disabled = false;
    cameraMessage.textContent = text;
  }

  function refusal(error) {
    const name = error && error.name;
    if (name === "NotAllowedError") return "The camera was not allowed. That is fine: upload a picture or paste the code instead.";
    if (name === "NotFoundError") return "No camera was found on this device: upload a picture or paste the code.";
    return "The camera could not start (" + (name || "error") + "): upload a picture or paste the code.";
  }

  async function start() {
    startButton.disabled = true;
    cameraMessage.textContent = "Asking your permission to use the camera…";
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      stopButton.hidden = false;
      await video.play();
    } catch (error) {
      stop(refusal(error));
      return;
    }
    cameraMessage.textContent = "Point the camera at the merchant's QR code…";
    const untilMs = performance.now() + SCAN_MAX_MS;
    const step = () => {
      if (!stream) return;
      if (performance.now() > untilMs) {
        stop("No QR code seen for two minutes, so the camera stopped. Start it again, or upload a picture.");
        return;
      }
      if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
        const payload = read(pixels(video, video.videoWidth, video.videoHeight, FRAME_SIDE_MAX_PX), "dontInvert");
        if (payload) {
          stop("QR code read.");
          submitPayload(payload, "camera", "");
          return;
        }
      }
      timer = setTimeout(step, SCAN_INTERVAL_MS);
    };
    step();
  }

  if (!decoder) {
    cameraMessage.textContent = "The camera scanner could not load: upload a picture or paste the code.";
  } else if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    cameraMessage.textContent = "This browser cannot use the camera on this page (it needs a secure https page): " +
      "upload a picture or paste the code.";
  } else {
    startButton.disabled = false;
    cameraMessage.textContent = "Press Start, then point the camera at the QR code.";
    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", () => stop("Camera stopped."));
    window.addEventListener("pagehide", () => stop(""));
  }
})();
