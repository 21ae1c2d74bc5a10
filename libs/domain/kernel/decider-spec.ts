import { DomainError, fold, type Decider, type DomainEvent } from './decider';

/**
 * Given/when/then for deciders:
 *   specFor(tracer).given([TracerRegistered]).when(RenameTracer).then([TracerRenamed])
 *   specFor(tracer).given([]).when(RenameTracer).thenThrows('TRACER_NOT_FOUND')
 */
export function specFor<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given: (events: E[]) => ({
      when: (command: C) => {
        const run = () => decider.decide(command, fold(decider, events));
        return {
          then: (expected: E[]) => expect(run()).toEqual(expected),
          thenNothing: () => expect(run()).toEqual([]),
          thenThrows: (code: string, details?: Record<string, unknown>) => {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(DomainError);
            expect((thrown as DomainError).code).toBe(code);
            if (details) expect((thrown as DomainError).details).toMatchObject(details);
          },
        };
      },
    }),
  };
}
