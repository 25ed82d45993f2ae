/**
 * Decoded boxes before NMS, as parallel typed arrays: no object per box.
 * Grows ×2 when full and is reset (not reallocated) every frame.
 */
export class Candidates {
  /** x1, y1, x2, y2 per candidate, model-input pixels. */
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
  count = 0;

  constructor(initialCapacity = 1024) {
    this.boxes = new Float32Array(initialCapacity * 4);
    this.scores = new Float32Array(initialCapacity);
    this.classes = new Int32Array(initialCapacity);
  }

  get capacity(): number {
    return this.scores.length;
  }

  reset(): void {
    this.count = 0;
  }

  /** Appends one candidate, box as x1 y1 x2 y2. */
  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    const b = i * 4;
    this.boxes[b] = x1;
    this.boxes[b + 1] = y1;
    this.boxes[b + 2] = x2;
    this.boxes[b + 3] = y2;
    this.scores[i] = score;
    this.classes[i] = classId;
  }

  private grow(): void {
    const cap = this.scores.length * 2;
    const boxes = new Float32Array(cap * 4);
    boxes.set(this.boxes);
    const scores = new Float32Array(cap);
    scores.set(this.scores);
    const classes = new Int32Array(cap);
    classes.set(this.classes);
    this.boxes = boxes;
    this.scores = scores;
    this.classes = classes;
  }
}
