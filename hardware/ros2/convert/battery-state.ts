import { z } from 'zod';
import type { BatteryState } from '../../../runtime/index.js';
import { accept, headerSchema, numberOrNaN, parseRos, reject, stampToMs, type Conversion } from './conversion.js';

const batteryStateSchema = z.object({
  header: headerSchema,
  voltage: numberOrNaN,
  current: numberOrNaN,
  charge: numberOrNaN,
  capacity: numberOrNaN,
  percentage: numberOrNaN,
});

/**
 * sensor_msgs/BatteryState. ROS gives `percentage` in 0..1 and NaN for what
 * the driver does not measure; Kestrel's `percent` is 0..100 and must be
 * known (the guard's battery reserve reads it), so it falls back to
 * charge / capacity, and a battery with neither is rejected. Voltage and
 * current pass through and may be NaN (unmeasured).
 */
export function convertBatteryState(ros: unknown): Conversion<BatteryState> {
  const p = parseRos(batteryStateSchema, ros, 'battery.invalid');
  if (!p.ok) return p;
  const m = p.value;
  let fraction = m.percentage;
  if (!Number.isFinite(fraction) && Number.isFinite(m.charge) && m.capacity > 0) fraction = m.charge / m.capacity;
  if (!Number.isFinite(fraction))
    return reject('battery.unknown_charge', 'percentage and charge/capacity are both unmeasured');
  if (fraction < 0 || fraction > 1.05) return reject('battery.invalid', `percentage ${fraction} is outside 0..1`);
  const state: BatteryState = {
    frameId: m.header.frame_id,
    percent: Math.min(100, fraction * 100),
    voltageV: m.voltage,
    currentA: m.current,
  };
  return accept(state, stampToMs(m.header.stamp));
}
