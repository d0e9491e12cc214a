/**
 * A record that InputFilter, JoinSource or OutputFilter cannot be applied to (not
 * CSV or JSON as the job's ContentType says, an index past the end of a row, a
 * member that is not there), or a container answer that cannot be matched with the
 * records of its batch. The job fails with this message, written for a person.
 */
export class DataProcessingError extends Error {
  override name = this.constructor.name;
}
