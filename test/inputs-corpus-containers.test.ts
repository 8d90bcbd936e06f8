// Corpus group "containers" (scripts/lib/corpus-cases.mjs): each case generated, rendered and checked.
import t from 'tap';
import { renderCorpusGroup } from './helpers/corpus.js';

await renderCorpusGroup(t, 'containers');
