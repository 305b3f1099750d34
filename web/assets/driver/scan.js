// Camera barcode scanning with the Shape Detection API where the browser
// has it; the manual entry is always there.

// scannerSupport tells whether the camera scanner can run here: it needs
// BarcodeDetector with at least one format and a camera (getUserMedia).
export async function scannerSupport(win = window) {
  if (!('BarcodeDetector' in win)) return { supported: false, reason: 'no BarcodeDetector in this browser' };
  if (!win.navigator.mediaDevices || !win.navigator.mediaDevices.getUserMedia) return { supported: false, reason: 'no camera access (needs HTTPS)' };
  let formats = [];
  try {
    formats = win.BarcodeDetector.getSupportedFormats ? await win.BarcodeDetector.getSupportedFormats() : [];
  } catch {
    formats = [];
  }
  if (formats.length === 0) return { supported: false, reason: 'no barcode formats supported' };
  return { supported: true, formats };
}

// Scanner runs the camera and reports each barcode seen (once per
// 2.5 seconds for the same code, so a parcel held in view scans once).
export class Scanner {
  constructor(video, formats, onCode) {
    this.video = video;
    this.detector = new window.BarcodeDetector({ formats });
    this.onCode = onCode;
    this.stream = null;
    this.timer = null;
    this.seen = new Map();
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    this.video.srcObject = this.stream;
    await this.video.play();
    const tick = async () => {
      if (!this.stream) return;
      try {
        const codes = await this.detector.detect(this.video);
        const now = Date.now();
        for (const c of codes) {
          const v = (c.rawValue || '').trim();
          if (!v || now - (this.seen.get(v) || 0) < 2500) continue;
          this.seen.set(v, now);
          this.onCode(v);
        }
      } catch { /* a frame that is not ready yet */ }
      this.timer = setTimeout(tick, 200);
    };
    tick();
  }

  stop() {
    clearTimeout(this.timer);
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}
