import { useEffect, useRef } from "react";
import { subscribeFrames } from "../calls";
import { i420ToRgba, type I420Picture } from "../i420";

interface Renderer {
  kind: "webgl" | "2d";
  draw: (picture: I420Picture) => void;
  dispose: () => void;
}

const VERTEX = `
attribute vec2 position;
varying vec2 texel;
void main() {
  texel = vec2((position.x + 1.0) / 2.0, (1.0 - position.y) / 2.0);
  gl_Position = vec4(position, 0.0, 1.0);
}`;

// BT.601 limited range, the same sums as i420.ts's yuvToRgb.
const FRAGMENT = `
precision mediump float;
uniform sampler2D planeY;
uniform sampler2D planeU;
uniform sampler2D planeV;
varying vec2 texel;
void main() {
  float y = 1.164 * (texture2D(planeY, texel).r - 16.0 / 255.0);
  float u = texture2D(planeU, texel).r - 128.0 / 255.0;
  float v = texture2D(planeV, texel).r - 128.0 / 255.0;
  gl_FragColor = vec4(y + 1.596 * v, y - 0.392 * u - 0.813 * v, y + 2.017 * u, 1.0);
}`;

function compile(gl: WebGLRenderingContext, type: number, source: string): WebGLShader | null {
  const shader = gl.createShader(type);
  if (!shader) return null;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    console.warn("video shader failed", gl.getShaderInfoLog(shader));
    return null;
  }
  return shader;
}

/** Three LUMINANCE textures and a YUV→RGB shader; null when WebGL is not there. */
function webglRenderer(canvas: HTMLCanvasElement): Renderer | null {
  // preserveDrawingBuffer: WebDriver screenshots see the picture, not a cleared buffer.
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer: true, antialias: false });
  if (!gl) return null;
  const vertex = compile(gl, gl.VERTEX_SHADER, VERTEX);
  const fragment = compile(gl, gl.FRAGMENT_SHADER, FRAGMENT);
  const program = gl.createProgram();
  if (!vertex || !fragment || !program) return null;
  gl.attachShader(program, vertex);
  gl.attachShader(program, fragment);
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) return null;
  gl.useProgram(program);

  const quad = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, quad);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const position = gl.getAttribLocation(program, "position");
  gl.enableVertexAttribArray(position);
  gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);

  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  const textures = ["planeY", "planeU", "planeV"].map((name, unit) => {
    const texture = gl.createTexture();
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    // Odd sizes are not powers of two: WebGL 1 wants clamping and no mipmaps for them.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.uniform1i(gl.getUniformLocation(program, name), unit);
    return texture;
  });

  return {
    kind: "webgl",
    draw(picture) {
      if (canvas.width !== picture.width || canvas.height !== picture.height) {
        canvas.width = picture.width;
        canvas.height = picture.height;
      }
      gl.viewport(0, 0, picture.width, picture.height);
      const chromaWidth = Math.ceil(picture.width / 2);
      const chromaHeight = Math.ceil(picture.height / 2);
      const planes: [Uint8Array, number, number][] = [
        [picture.y, picture.width, picture.height],
        [picture.u, chromaWidth, chromaHeight],
        [picture.v, chromaWidth, chromaHeight],
      ];
      planes.forEach(([data, width, height], unit) => {
        gl.activeTexture(gl.TEXTURE0 + unit);
        gl.bindTexture(gl.TEXTURE_2D, textures[unit]);
        gl.texImage2D(
          gl.TEXTURE_2D,
          0,
          gl.LUMINANCE,
          width,
          height,
          0,
          gl.LUMINANCE,
          gl.UNSIGNED_BYTE,
          data,
        );
      });
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    },
    dispose() {
      textures.forEach((texture) => gl.deleteTexture(texture));
      gl.deleteBuffer(quad);
      gl.deleteProgram(program);
      gl.deleteShader(vertex);
      gl.deleteShader(fragment);
    },
  };
}

/** The conversion in JavaScript into an ImageData, for webviews without WebGL. */
function canvas2dRenderer(canvas: HTMLCanvasElement): Renderer | null {
  const context = canvas.getContext("2d");
  if (!context) return null;
  let image: ImageData | null = null;
  return {
    kind: "2d",
    draw(picture) {
      if (!image || image.width !== picture.width || image.height !== picture.height) {
        canvas.width = picture.width;
        canvas.height = picture.height;
        image = context.createImageData(picture.width, picture.height);
      }
      i420ToRgba(picture, image.data);
      context.putImageData(image, 0, 0);
    },
    dispose() {
      image = null;
    },
  };
}

/**
 * One of the call's pictures (0 the far side, 1 my self-view), drawn as frames arrive: only the
 * newest waits for the next animation frame, older ones are dropped. `data-frames` counts the
 * pictures drawn (the WebDriver test reads it to see video arrive).
 */
export default function VideoCanvas({
  which,
  className,
  testId,
  label,
}: {
  which: 0 | 1;
  className: string;
  testId: string;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const renderer = webglRenderer(canvas) ?? canvas2dRenderer(canvas);
    canvas.dataset.renderer = renderer?.kind ?? "none";
    let newest: I420Picture | null = null;
    let scheduled = 0;
    let drawn = 0;
    const draw = () => {
      scheduled = 0;
      if (!newest || !renderer) return;
      renderer.draw(newest);
      newest = null;
      drawn += 1;
      // Straight on the element: a React render per frame would be 30 a second for nothing.
      canvas.dataset.frames = String(drawn);
    };
    const stop = subscribeFrames(which, (picture) => {
      newest = picture;
      if (!scheduled) scheduled = requestAnimationFrame(draw);
    });
    return () => {
      stop();
      if (scheduled) cancelAnimationFrame(scheduled);
      renderer?.dispose();
    };
  }, [which]);
  return (
    <canvas
      ref={ref}
      className={className}
      data-testid={testId}
      data-frames="0"
      aria-label={label}
    />
  );
}
