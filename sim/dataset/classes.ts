/**
 * Class list of exported datasets, in YOLO class-index order. The trainer
 * writes the same order into the model's `names`, so index i means the same
 * thing in labels, data.yaml and the detector's output.
 */
export const DATASET_CLASSES = ['fire', 'smoke', 'person', 'vehicle'] as const;
export type DatasetClass = (typeof DATASET_CLASSES)[number];
