import { KestrelError } from '../../runtime/index.js';
import type { Sensor } from '../../missions/index.js';
import type { SimWorld } from '../world.js';
import { SimBattery } from './battery.js';
import { SimCamera } from './camera.js';
import { SimGnss } from './gnss.js';
import { SimImu } from './imu.js';
import { SimLidar } from './lidar.js';
import { SimOdometry } from './odometry.js';
import { mountOf, type SimSensor } from './sensor.js';

/** The simulated sensor for a mission sensor entry, on its own random stream `sensor:<id>`. */
export function createSimSensor(sensor: Sensor, world: SimWorld): SimSensor {
  const rng = world.rng.stream(`sensor:${sensor.id}`);
  const mount = mountOf(sensor, world.vehicle.kind);
  const frameId = sensor.frameId ?? sensor.id;
  switch (sensor.type) {
    case 'imu':
      return new SimImu(sensor.id, frameId, rng);
    case 'gnss':
      return new SimGnss(sensor.id, frameId, mount, rng);
    case 'odometry':
      return new SimOdometry(sensor.id, frameId, rng);
    case 'lidar':
      return new SimLidar(sensor.id, frameId, mount, rng, world);
    case 'battery':
      return new SimBattery(sensor.id, frameId, rng);
    case 'camera':
      if (sensor.width === undefined || sensor.height === undefined) {
        throw new KestrelError('sim.sensor_invalid', `camera "${sensor.id}" needs width and height`, {
          issues: [
            {
              code: 'missing',
              path: ['sensors', sensor.id, sensor.width === undefined ? 'width' : 'height'],
              message: 'required for a camera',
            },
          ],
        });
      }
      return new SimCamera(sensor.id, frameId, mount, rng, world, {
        width: sensor.width,
        height: sensor.height,
        ...(sensor.fovDeg === undefined ? {} : { fovDeg: sensor.fovDeg }),
      });
  }
}
