/**
 * The event id key of local runs (`npm start`, the pipeline and fault tests). Not a secret: local
 * runs carry no vault data that matters, and the ledger must compute the same ids as the local relay
 * to count duplicates by id. A deployed relay generates its own key (infra/constructs/event-id-key.ts).
 */
import { EventIdKey } from '../shared/model/event-uid.js';

const LOCAL_EVENT_ID_KEY = new EventIdKey('segura-relay-local-event-id-key-not-a-secret');

export { LOCAL_EVENT_ID_KEY };
