import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * S3 speaks REST-XML in the 2006-03-01 namespace. One builder renders every
 * answer (values are escaped by the builder: keys may hold `&` or `<`), one
 * parser reads the few bodies S3 takes (CreateBucketConfiguration,
 * CompleteMultipartUpload, Delete).
 */
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true });

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // Keys and ETags are strings even when they look like numbers.
  isArray: (name) => name === 'Part' || name === 'Object',
  removeNSPrefix: true,
});

export type XmlValue = string | number | boolean | XmlNode | XmlValue[] | undefined;
export interface XmlNode {
  [name: string]: XmlValue;
}

/** `<?xml …?><Root xmlns="…">…</Root>`; undefined members are left out. */
export function renderXml(root: string, body: XmlNode, namespace = true): string {
  const node = namespace ? { '@_xmlns': S3_NS, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: node }) as string}`;
}

/** The parsed document, or undefined when it is not well-formed XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  try {
    const out = parser.parse(text, true) as Record<string, unknown>;
    return out;
  } catch {
    return undefined;
  }
}

/** S3 times: ISO 8601 with milliseconds, UTC. */
export const xmlTime = (ms: number) => new Date(ms).toISOString();

/** HTTP header times (Last-Modified). */
export const httpTime = (ms: number) => new Date(ms).toUTCString();
