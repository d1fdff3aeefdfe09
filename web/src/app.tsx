import { useEffect, useState } from 'preact/hooks';
import { api, onSessionExpired, type User } from './api.ts';
import { AuthScreen } from './auth.tsx';
import { ContactsScreen } from './contacts.tsx';
import { normalizeDraft, type Draft } from './editor.tsx';
import { describeError } from './messages.ts';

const DRAFT_KEY = 'contactfolio.draft';

function savedDraft(): Draft | undefined {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    // A draft saved by an earlier version of the app lacks the newer fields.
    return raw ? normalizeDraft(JSON.parse(raw)) : undefined;
  } catch {
    return undefined;
  }
}

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState<string>();
  // The open editor's content lives here (and in sessionStorage), above the
  // screens, so an expired session sends the person to sign in without
  // losing what they typed.
  const [draft, setDraftState] = useState<Draft | undefined>(savedDraft);
  const setDraft = (d: Draft | undefined) => {
    setDraftState(d);
    try {
      if (d) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(d));
      else sessionStorage.removeItem(DRAFT_KEY);
    } catch {
      /* private mode: the draft still lives in memory */
    }
  };

  useEffect(() => {
    api.me().then(
      ({ data }) => setUser(data.user),
      (err: unknown) => {
        setUser(null);
        if (!(err instanceof Error && 'status' in err && err.status === 401)) setNotice(describeError(err));
      },
    );
    return onSessionExpired(() => {
      setUser(null);
      setNotice('Your session has expired. Sign in again; what you were editing has been kept.');
    });
  }, []);

  if (user === undefined) {
    return (
      <p class="empty" role="status">
        Loading…
      </p>
    );
  }
  if (user === null) {
    return (
      <AuthScreen
        notice={notice}
        onSignedIn={(u) => {
          setNotice(undefined);
          setUser(u);
        }}
      />
    );
  }
  return (
    <ContactsScreen
      user={user}
      draft={draft}
      setDraft={setDraft}
      onSignOut={() => {
        setDraft(undefined);
        void api.logout().finally(() => setUser(null));
      }}
    />
  );
}
