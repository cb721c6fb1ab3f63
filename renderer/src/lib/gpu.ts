// Whether xterm's WebGL renderer will be fast here. Software WebGL (SwiftShader,
// llvmpipe: headless Chromium, VMs, remote desktops) is slower than the DOM renderer
// and starves the page during floods, so those get the DOM renderer.
// localStorage 'pier.renderer' = 'webgl' | 'dom' overrides the choice.
let cached: boolean | undefined;

export function preferWebgl(): boolean {
  const forced = safeStorage('pier.renderer');
  if (forced === 'webgl') return true;
  if (forced === 'dom') return false;
  if (cached !== undefined) return cached;
  cached = false;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
      cached = !/swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch { cached = false; }
  return cached;
}

function safeStorage(k: string): string | null {
  try { return localStorage.getItem(k); } catch { return null; }
}
