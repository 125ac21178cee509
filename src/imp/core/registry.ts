import { RegistryError } from './errors';

/**
 * Maps names to implementations (routers, tasks, losses, experiments, charts). A config refers
 * to an implementation by name; registering a name twice throws, and an unknown name lists the
 * known ones.
 *
 * @example
 * ```ts
 * const routers = new Registry<string>('router');
 * routers.register('expert-choice', 'ec');
 * routers.get('expert-choice'); // 'ec'
 * routers.get('nope');          // throws: unknown router "nope"; known: expert-choice
 * ```
 */
export class Registry<T> {
  private readonly items = new Map<string, T>();

  constructor(readonly kind: string) {}

  register(name: string, item: T): void {
    if (this.items.has(name)) throw new RegistryError(`${this.kind} "${name}" is already registered`);
    this.items.set(name, item);
  }

  get(name: string): T {
    const item = this.items.get(name);
    if (item === undefined) {
      throw new RegistryError(`unknown ${this.kind} ${JSON.stringify(name)}; known: ${this.names().join(', ') || '(none)'}`);
    }
    return item;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  names(): string[] {
    return [...this.items.keys()].sort();
  }
}
