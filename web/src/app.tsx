import { useEffect, useState } from 'preact/hooks';
import { Router, useLocation } from 'wouter-preact';
import { api, onSessionExpired, type User } from './api.ts';
import { AuthScreen } from './auth.tsx';
import { ContactsScreen } from './contacts.tsx';
import { normalizeDraft, type Draft } from './draft.ts';
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

function Screens() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState<string>();
  const [, navigate] = useLocation();
  // The open editor's content lives here (and in sessionStorage), above the
  // screens, so an expired session sends the person to sign in without
  // losing what they typed, and a reload keeps it.
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
    // The path stays as it is: a deep link opens once the person has signed in.
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
  const signedOut = (message?: string) => {
    setDraft(undefined);
    setUser(null);
    setNotice(message);
    navigate('/');
  };
  return (
    <ContactsScreen
      user={user}
      onUser={setUser}
      draft={draft}
      setDraft={setDraft}
      onSignOut={() => void api.logout().finally(() => signedOut())}
      onSignedOut={signedOut}
    />
  );
}

export function App() {
  return (
    <Router>
      <Screens />
    </Router>
  );
}
