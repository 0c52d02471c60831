import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthProvider';
import { useAsync } from './useAsync';

/** The signed-in user's allergens for highlighting; none when signed out or without a profile. */
export function useUserAllergens(): string[] {
  const auth = useAuth();
  const signedIn = Boolean(auth.user);
  const profile = useAsync(async () => {
    if (!signedIn) return [];
    try {
      return (await auth.api.profile()).allergens as string[];
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return [];
      throw error;
    }
  }, [signedIn, auth.api]);
  return profile.status === 'ok' ? profile.data : [];
}
