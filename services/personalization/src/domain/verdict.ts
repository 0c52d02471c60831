import type { Allergen, Diet, HealthProfile, Passport, Verdict } from '@packytrace/contracts';
import type { Rating, RuleSet } from './rule-set';

type Reason = Verdict['reasons'][number] & { rating: Rating };

const severity: Record<Rating, number> = { suitable: 0, caution: 1, unsuitable: 2 };

/**
 * The verdict on a product for a Health Profile under one rule set. Pure: the same profile, product
 * facts and rule set always give the same verdict, which names the rule set and, per reason, the
 * facts that triggered it.
 */
export function verdictFor(profile: HealthProfile, product: Passport, ruleSet: RuleSet): Verdict {
  const reasons = [
    ...allergenReasons(profile, product, ruleSet),
    ...dietReasons(profile, product, ruleSet),
    ...limitReasons(profile, product, ruleSet),
  ].filter((r) => r.rating !== 'suitable');
  const rating = reasons.reduce<Rating>(
    (worst, r) => (severity[r.rating] > severity[worst] ? r.rating : worst),
    'suitable',
  );
  return {
    rating,
    reasons: reasons.map(({ code, message, facts }) => ({ code, message, facts })),
    ruleSetVersion: ruleSet.version,
  };
}

function allergenReasons(profile: HealthProfile, product: Passport, { rules }: RuleSet): Reason[] {
  const reasons: Reason[] = [];
  // The contract's Static type of a mapped Union is `never`; the values are checked by the schema.
  for (const allergen of profile.allergens as Allergen[]) {
    if (product.allergens.includes(allergen)) {
      reasons.push({
        code: 'allergen_present',
        rating: rules.allergens.presentRating,
        message: `Contains ${allergen}.`,
        facts: { allergen, declaredIn: 'allergens' },
      });
    } else if (product.traces.includes(allergen)) {
      reasons.push({
        code: 'allergen_traces',
        rating: rules.allergens.tracesRating,
        message: `May contain traces of ${allergen}.`,
        facts: { allergen, declaredIn: 'traces' },
      });
    }
  }
  return reasons;
}

function dietReasons(profile: HealthProfile, product: Passport, { rules }: RuleSet): Reason[] {
  const reasons: Reason[] = [];
  for (const diet of profile.diets as Diet[]) {
    const rule = rules.diets[diet];
    if (!rule) continue;
    const provingLabel = rule.provenByLabels.find((l) => product.labels.includes(l));
    if (provingLabel) continue;
    const conflicting = rule.conflictingAllergens.filter((a) => product.allergens.includes(a));
    const traces = rule.conflictingTraces.filter((a) => product.traces.includes(a));
    if (conflicting.length > 0) {
      reasons.push({
        code: 'diet_conflict',
        rating: rule.conflictRating,
        message: `Not ${diet.replace('_', '-')}: contains ${conflicting.join(', ')}.`,
        facts: { diet, allergens: conflicting, proof: 'allergen' },
      });
    } else if (traces.length > 0) {
      reasons.push({
        code: 'diet_conflict',
        rating: rule.tracesRating,
        message: `May not be ${diet.replace('_', '-')}: may contain ${traces.join(', ')}.`,
        facts: { diet, traces, proof: 'traces' },
      });
    } else {
      reasons.push({
        code: 'diet_conflict',
        rating: rule.unprovenRating,
        message: `Not labelled ${diet.replace('_', '-')}; check the ingredients.`,
        facts: { diet, expectedLabels: rule.provenByLabels, proof: 'unknown' },
      });
    }
  }
  return reasons;
}

function limitReasons(profile: HealthProfile, product: Passport, { rules }: RuleSet): Reason[] {
  const reasons: Reason[] = [];
  for (const nutrient of rules.limits.nutrients) {
    const limit = profile.limits[nutrient];
    const value = product.nutrition[nutrient];
    if (limit === undefined || value === undefined || !(value > limit)) continue;
    reasons.push({
      code: 'nutrient_over_limit',
      rating: rules.limits.overLimitRating,
      message: `${nutrient} ${value} per 100 g is over your limit of ${limit}.`,
      facts: { nutrient, value, limit, per: rules.limits.per },
    });
  }
  return reasons;
}
