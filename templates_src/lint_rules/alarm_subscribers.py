"""W9120: an alarm topic has a subscriber -- an alarm that publishes to a topic nobody reads tells no one.

An alarm topic is a topic an AWS::CloudWatch::Alarm of the same template names in its actions, or one the
compiler marks as the system's (Metadata stackc.alarm_topic: the alarms live in the service and data stacks).
It has a subscriber when its `Subscription` property lists one or an AWS::SNS::Subscription names it.
A system alarming to a topic someone else owns (observability.alarm_topic_arn) creates no topic: nothing to check.
"""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def _ref(value):
    return value.get("Ref") if isinstance(value, dict) else None


class AlarmSubscribers(CloudFormationLintRule):
    id = "W9120"
    shortdesc = "Alarm topics have a subscriber"
    description = "An SNS topic that alarms publish to has an e-mail (or other) subscription"
    source_url = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html"
    tags = ["stackc", "observability"]

    def match(self, cfn):
        topics = cfn.get_resources("AWS::SNS::Topic")
        alarmed = {
            name
            for name, r in topics.items()
            if ((r.get("Metadata") or {}).get("stackc") or {}).get("alarm_topic") is True
        }
        for alarm in cfn.get_resources("AWS::CloudWatch::Alarm").values():
            props = alarm.get("Properties", {})
            alarmed |= {_ref(a) for key in ACTIONS for a in props.get(key) or []} & set(topics)
        subscribed = {
            _ref(r.get("Properties", {}).get("TopicArn")) for r in cfn.get_resources("AWS::SNS::Subscription").values()
        }
        return [
            RuleMatch(
                ["Resources", name],
                f"alarm topic {name} has no subscriber: its alarms tell no one. Set observability.alarm_emails, or "
                "observability.alarm_topic_arn (an on-call integration's topic), or waive W9120 with the reason",
            )
            for name in sorted(alarmed)
            if not topics[name].get("Properties", {}).get("Subscription") and name not in subscribed
        ]
