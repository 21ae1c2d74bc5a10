import {
  AFTER_POSITION_SEQ,
  keyAfterPositionText,
  messageKeyText,
  parseMessageKeyText,
  parseResumeRequest,
  START_KEY,
  type MessageKey,
} from './message-key';

describe('message keys as text', () => {
  it('round-trips a logged message’s key and a position’s', () => {
    for (const key of [
      { commit: 11n, prepare: 11n, seq: 0 },
      { commit: 11n, prepare: 7n, seq: 65_535 },
      { commit: 11n, prepare: 11n, seq: AFTER_POSITION_SEQ },
      START_KEY,
    ]) {
      expect(parseMessageKeyText(messageKeyText(key))).toEqual(key);
    }
    expect(messageKeyText({ commit: 11n, prepare: 7n, seq: 3 })).toBe('11/7#3');
    expect(messageKeyText(keyAfterPositionText('11/7') as MessageKey)).toBe('11/7');
  });

  it('refuses what no message carried', () => {
    for (const text of ['', '#1', 'start#0', '11#', '11#-1', '11#x', '11#2147483648', '11##1', 'eleven']) {
      expect(parseMessageKeyText(text)).toBeNull();
    }
  });
});

describe('where a join resumes', () => {
  it('given afterKey, then exactly after that message; given fromPosition, then after its whole event; given neither, then nowhere (a snapshot)', () => {
    expect(parseResumeRequest({ afterKey: '11#0' })).toEqual({
      ok: true,
      from: { commit: 11n, prepare: 11n, seq: 0 },
    });
    expect(parseResumeRequest({ fromPosition: '11' })).toEqual({
      ok: true,
      from: { commit: 11n, prepare: 11n, seq: AFTER_POSITION_SEQ },
    });
    expect(parseResumeRequest({ afterKey: '11' })).toEqual(parseResumeRequest({ fromPosition: '11' }));
    expect(parseResumeRequest({ fromPosition: null })).toEqual({ ok: true, from: null });
  });

  it('refuses both at once, and what no message carried', () => {
    expect(parseResumeRequest({ afterKey: '11#0', fromPosition: '11' })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(parseResumeRequest({ afterKey: '11#x' })).toMatchObject({ ok: false, code: 'INVALID_POSITION' });
    expect(parseResumeRequest({ afterKey: 11 })).toMatchObject({ ok: false, code: 'INVALID_POSITION' });
    expect(parseResumeRequest({ fromPosition: '11#0' })).toMatchObject({ ok: false, code: 'INVALID_POSITION' });
  });
});
