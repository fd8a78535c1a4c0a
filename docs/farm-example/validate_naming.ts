// Here and on the farm (targets default and farm): a job edited or forged on its way fails there too.
import { type Instance, InstancePlugin, Order } from '@pyblish/core';

export class ValidateNaming extends InstancePlugin {
  static override order = Order.Validator;
  static override label = 'Validate naming';
  static override families = ['model'];
  static override targets = ['default', 'farm'];

  process(instance: Instance) {
    if (!/^[a-z][a-z0-9_]*$/.test(instance.name))
      throw new Error(`"${instance.name}" is not a valid asset name: use lower case letters, digits and _.`);
  }
}
