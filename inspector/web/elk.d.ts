// elkjs's bundled build (it ships types for elkjs/lib/elk-api only).
declare module 'elkjs/lib/elk.bundled.js' {
  import ELK from 'elkjs/lib/elk-api';
  export default ELK;
}
